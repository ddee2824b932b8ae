"""rmsnotes: the tested reference code behind the course "RMSprop, from AdaGrad's
stall to today's optimizers".

Import the modules you need; importing the package itself does nothing else::

    from rmsnotes import optim, surfaces, data, models, plotting, export

Modules:
    optim      sgd, adagrad, rmsprop, adam, adadelta as init/update pairs; run() -> History
    surfaces   Surface and the course's test functions (quadratic, Rosenbrock, the
               valley-plateau and its axis-aligned control, ...); valley coordinates
    data       seeded data sets and their least-squares solutions
    models     losses and gradients of linear regression and a small MLP (one network
               or a stack of them); online_grad: one example or mini-batch per step
    plotting   contours, paths, per-step curves and lr sweeps (drawing only)
    export     figure files: save_figure / save_and_show (PNG, 150 dpi), save_gif
    ema        exponential moving averages: weights, window, half-life, bias correction
    sweeps     learning-rate sweeps that record divergence instead of crashing
    stepsize   step-size diagnostics: |step| / lr, oscillation, RMSprop's 2-cycle
    success    success fractions over grids of starts and learning rates
    monitor    what to watch while training, per group of coordinates (layers):
               effective rates, update ratios, gradients; stall, blow-up and dead
               coordinate detectors, all read from an optim.History
    limits     Reddi et al.'s convex counterexample: runs, regret, RMSprop's drift and
               its phase diagram over (beta, C); RMSprop with its rate clipped to a band
    claims     the claims ledger: each claim of the source notes, its verdict, and the
               notebook section that backs it (as data, rendered by notebook 09)
    animation  the AdaGrad-RMSprop race (export.save_gif writes it)
    widgets    the live explorer: sliders for surface, start, lr, beta, eps, steps over
               AdaGrad's and RMSprop's runs (optimizer_explorer; explorer_figure)
    frameworks the libraries' RMSprop conventions; their stored trajectories replayed
    checks     self-checks for the exercises; envcheck: the set-up check
"""

__version__ = "0.1.0"
__all__ = [
    "optim",
    "surfaces",
    "data",
    "models",
    "plotting",
    "export",
    "ema",
    "sweeps",
    "stepsize",
    "success",
    "monitor",
    "limits",
    "claims",
    "animation",
    "widgets",
    "frameworks",
    "checks",
    "envcheck",
]
