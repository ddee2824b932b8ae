"""rmsnotes: the tested reference code behind the course "RMSprop, from AdaGrad's
stall to today's optimizers".

Import the modules you need; importing the package itself does nothing else::

    from rmsnotes import optim, surfaces, data, models, plotting

Modules:
    optim     sgd, adagrad, rmsprop, adam as pure init/update pairs; run() -> History
    surfaces  Surface and the course's test functions (quadratic, Rosenbrock, ...)
    data      seeded data sets and their least-squares solutions
    models    losses and gradients of linear regression and a small MLP
    plotting  contour and curve helpers; save_figure() writes into figures/
"""

__version__ = "0.1.0"
__all__ = ["optim", "surfaces", "data", "models", "plotting"]
