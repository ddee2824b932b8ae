"""The claims ledger: every claim of the source notes the course tested, with its verdict.

Each row is a :class:`Claim`: the claim as the notes state it (quoted or closely
paraphrased), a verdict, a one-line reason, and the notebook and section heading
whose cells back the verdict. Notebook 09 renders the ledger from this data
(:func:`as_markdown`), so there is no hand-typed copy to drift, and
``tests/test_claims.py`` checks that every cited notebook exists and holds a heading
with exactly that text.

Verdicts:

    confirmed   the evidence supports the claim as stated
    qualified   true only under conditions the notes leave out (equal lr, small
                beta, a fixed problem, ...); the reason says which
    corrected   the evidence contradicts the claim, or it mislabels something

Example:
    >>> len(CLAIMS) >= 15
    True
    >>> sorted(counts())
    ['confirmed', 'corrected', 'qualified']
    >>> as_markdown(CLAIMS[:1]).splitlines()[0]
    '| # | claim in the source notes | verdict | why | where |'
"""

from __future__ import annotations

from collections import Counter
from typing import NamedTuple

__all__ = ["Claim", "VERDICTS", "CLAIMS", "counts", "as_markdown"]

VERDICTS = ("confirmed", "qualified", "corrected")


class Claim(NamedTuple):
    """One row of the ledger.

    Attributes:
        claim: what the notes say.
        verdict: one of :data:`VERDICTS`.
        reason: one line: what the course measured.
        notebook: the notebook's file name, e.g. ``"03_ema.ipynb"``.
        section: the text of the heading (without the leading ``#``) whose cells back it.
    """

    claim: str
    verdict: str
    reason: str
    notebook: str
    section: str


CLAIMS: tuple[Claim, ...] = (
    # --- AdaGrad and its stall
    Claim(
        "AdaGrad: G_t grows without bound, so the learning rate goes to 0",
        "confirmed",
        "every g^2 >= 0, so the sum never falls and the rate lr / sqrt(s) only shrinks: "
        "checked at every step of a 200-step run",
        "01_adagrad.ipynb",
        "4. The sum only grows, so the rate only shrinks",
    ),
    Claim(
        'A data table with "one column with all 1s (sparse features)"',
        "corrected",
        "a column of ones is the intercept, the densest column there is; a sparse "
        "feature is zero in most rows",
        "02_sparse_stall.ipynb",
        "1. Two data sets, and which one is sparse",
    ),
    Claim(
        '"AdaGrad gets stuck at local minimum because learning rate becomes too small"',
        "corrected",
        "the loss is convex, with no local minimum; AdaGrad is still moving downhill on a "
        "step budget of about 2 lr sqrt(T), too small at lr 0.05",
        "02_sparse_stall.ipynb",
        "3. What the stall really is",
    ),
    Claim(
        'Convex problems (linear regression): AdaGrad and RMSprop each "work perfectly" '
        'and "perform similarly"',
        "corrected",
        "at equal lr 0.05 AdaGrad ends 2.76 from w*, RMSprop 0.035; tuned (lr 3) AdaGrad "
        "ends 300 times closer than RMSprop at its best fixed lr",
        "04_rmsprop.ipynb",
        "3. A convex problem: linear regression with an intercept",
    ),
    # --- the moving average
    Claim(
        "The expansion G_1 = (1-b) g_1^2, G_2 = b(1-b) g_1^2 + (1-b) g_2^2, G_3 = ...",
        "confirmed",
        "the recursion and the expanded formula agree step by step",
        "03_ema.ipynb",
        "2. Unrolling three steps",
    ),
    Claim(
        "The weight table: the newest gradient weighs (1-b), older ones b(1-b), b^2(1-b)",
        "confirmed",
        "the general term (1-b) b^k, proved by induction and checked at every step of a "
        "200-step run for three betas and two starts",
        "03_ema.ipynb",
        "3. The weight table and the general term",
    ),
    Claim(
        'Old gradients are "forgotten" exponentially',
        "confirmed",
        "a gradient of age k weighs (1-b) b^k: every step multiplies it by b (a straight "
        "line on a log scale); AdaGrad's weights stay 1",
        "03_ema.ipynb",
        "5. Forgetting, precisely",
    ),
    Claim(
        '"Recent gradients dominate" the average',
        "qualified",
        "each newer gradient outweighs each older one, but as a group the newest 10 hold "
        "only 9.6% of the weight at b = 0.99 (65% at 0.9)",
        "03_ema.ipynb",
        "5. Forgetting, precisely",
    ),
    Claim(
        '"G_t converges to a stable range"',
        "corrected",
        "v_t is bounded by the largest g^2 seen, but it does not converge: it follows the "
        "gradients (0.45 to 1.5 around a level of 1 at b = 0.9)",
        "03_ema.ipynb",
        "5. Forgetting, precisely",
    ),
    Claim(
        'The learning rate lr / sqrt(G_t + eps) "remains meaningful" (stays in a band)',
        "corrected",
        "the effective rate moved by factors of 190 and 310; what stays near 1 is "
        "|step| / lr, once the iterate hops in its +-lr/2 cycle",
        "04_rmsprop.ipynb",
        "4. Near the minimum, the step stays about $\\eta$ long",
    ),
    # --- non-convex
    Claim(
        '"AdaGrad: gets stuck at local minima due to vanishing learning rates"',
        "qualified",
        "on the valley-plateau at lr 0.05 it crawls (0.019 along the valley), mostly "
        "because the valley lies across its axes (aligned with them it moves 1.57)",
        "05_nonconvex.ipynb",
        "1. A valley whose floor is a plateau",
    ),
    Claim(
        '"RMSprop: successfully navigates to global minimum"',
        "qualified",
        "at lr >= 0.15 it steps over a narrow dip on the way to the minimum; at lr 0.05 "
        "the dip catches it, and a wider dip at every lr tried",
        "05_nonconvex.ipynb",
        "2. A narrow dip on the way",
    ),
    Claim(
        '"Non-convex optimization: significantly outperforms AdaGrad"',
        "qualified",
        "on the network at equal lr 0.01, yes (training loss 5 times lower); each at its "
        "tuned lr, the two tie on held-out data",
        "05_nonconvex.ipynb",
        "5. A small neural network",
    ),
    # --- hyperparameters
    Claim(
        "Learning rate: default 0.001, range 0.0001 to 0.01",
        "corrected",
        "lr is a step length; the tuned lr is about D_inf / T, and 0.001 was 30 to 100 "
        "times too small on all three course problems",
        "06_hyperparameters.ipynb",
        "1. The learning rate is a distance per step",
    ),
    Claim(
        "Decay: default 0.9, 0.95 for longer memory, range 0.8 to 0.99",
        "qualified",
        "0.5 to 0.9 barely differ; 0.99 takes about 870 steps to forget an 80-fold "
        "gradient drop and failed in 300 steps; 0 is sign descent",
        "06_hyperparameters.ipynb",
        "2. $\\beta$: how long RMSprop remembers",
    ),
    Claim(
        'Epsilon 1e-7 to 1e-8 "doesn\'t require tuning"',
        "qualified",
        "no effect up to 1e-3 while gradients are large; a large eps is GD at lr/eps, "
        "and inside the root its floor is sqrt(eps)",
        "06_hyperparameters.ipynb",
        "3. $\\epsilon$: a floor under the divisor",
    ),
    Claim(
        "The formula puts eps inside the root, sqrt(G_t + eps); the code adds it outside",
        "corrected",
        "both conventions exist (PyTorch outside; Keras 3, optax, TF1 inside) and they "
        "differ by orders of magnitude for gradients near 1e-6",
        "06_hyperparameters.ipynb",
        "Inside or outside the root: $10^{-8}$ or $10^{-4}$",
    ),
    Claim(
        '"Minimal hyperparameter tuning: works well with default settings"',
        "qualified",
        "corrected for lr (0.001 gets none of the three problems near a solution in the "
        "course's budgets), confirmed for beta 0.9 and eps 1e-8 (fine on all three)",
        "06_hyperparameters.ipynb",
        '4. "Works well with default settings"?',
    ),
    # --- variants
    Claim(
        'Centered RMSprop "can improve convergence", is "more stable"',
        "qualified",
        "it divides by the gradient's standard deviation: long steps where the gradient is "
        "consistent, and on a constant gradient steps that grow until NaN",
        "07_variants_frameworks.ipynb",
        "1. Centered RMSprop",
    ),
    Claim(
        'Adam "combined RMSprop with momentum"',
        "qualified",
        "Adam is RMSprop's v plus a momentum of another form (an average of g, divided "
        "afterwards) plus bias correction, each piece checked by an identity",
        "07_variants_frameworks.ipynb",
        "3. Adam = RMSprop + momentum + bias correction",
    ),
    Claim(
        'AdaDelta (2012), an "alternative solution" to the learning-rate decay',
        "confirmed",
        "it keeps RMSprop's v and needs no learning rate (replayed against PyTorch); its "
        "units argument does not make it scale-free",
        "07_variants_frameworks.ipynb",
        "4. AdaDelta: the other answer of 2012",
    ),
    Claim(
        'Epsilon\'s "purpose: numerical stability, prevents division by zero"',
        "qualified",
        "true outside the root (PyTorch); inside it floors the divisor at sqrt(eps), and "
        "a coordinate with 1e-6 gradients moves 0.3 to 1% as far",
        "07_variants_frameworks.ipynb",
        "Where the conventions part ways: a tiny gradient",
    ),
    Claim(
        '"Less memory overhead" than Adam (no momentum terms)',
        "confirmed",
        "plain RMSprop keeps one array per parameter against Adam's two (as PyTorch); "
        "centered or with momentum it keeps two",
        "07_variants_frameworks.ipynb",
        "6. Memory, measured",
    ),
    # --- diagnostics (the notes' four monitoring tips)
    Claim(
        '"Effective learning rates: Monitor lr / sqrt(G_t + eps) for different parameters"',
        "qualified",
        "worth watching as medians per layer (AdaGrad's stall shows in them), but eps sits "
        "outside the root in PyTorch, and one coordinate's rate of 1e6 can mean nothing",
        "08_diagnostics.ipynb",
        "3. Monitoring a training run",
    ),
    Claim(
        '"Gradient accumulation: Track G_t values to ensure stability"',
        "qualified",
        "v tracks E[g^2] = mean^2 + variance, so near a minimum it measures the gradient "
        "noise, not progress; in the three failures the signal came from other monitors",
        "08_diagnostics.ipynb",
        "1. Mini-batch gradients: what $v$ averages",
    ),
    Claim(
        '"Parameter update magnitudes: Verify meaningful updates throughout training"',
        "confirmed",
        "the update/parameter ratio per layer told most: about 1e-2 when healthy at lr 0.01, "
        "above 1 in the blow-up, at most 1e-5 over 600 steps for dead weights",
        "08_diagnostics.ipynb",
        "7. The notes' monitoring advice, tested",
    ),
    Claim(
        '"Loss convergence: Ensure sustained progress unlike AdaGrad\'s stagnation"',
        "qualified",
        "watch the held-out loss too; with mini-batches a fixed lr ends at a noise floor set "
        "by lr and the batch size, so progress stops there unless lr decays",
        "08_diagnostics.ipynb",
        "2. The noise floor of a fixed learning rate",
    ),
    # --- limits
    Claim(
        '"Convex functions: guaranteed convergence to global optimum"',
        "corrected",
        "on Reddi et al.'s convex online problem RMSprop at beta 0.1 ends at +1, the worst "
        "point, whatever the step count; a large beta chosen after the problem converges",
        "09_limits.ipynb",
        "RMSprop with a small $\\beta$ ends at the worst point",
    ),
    Claim(
        '"Maintains sublinear regret guarantees similar to AdaGrad"',
        "corrected",
        "on the same problem its average regret stays near 2(C - 2)/3 = 0.67 per step, "
        "while AMSGrad's and AdaGrad's fall towards 0",
        "09_limits.ipynb",
        "RMSprop with a small $\\beta$ ends at the worst point",
    ),
    Claim(
        'RMSprop has "no significant disadvantages"',
        "corrected",
        "besides Reddi's counterexample, on Wilson et al.'s separable problem adaptive "
        "methods call every test point positive where gradient descent makes no error",
        "09_limits.ipynb",
        "3. Wilson et al.: adaptive methods can generalize worse",
    ),
)


def _rows(claims: tuple[Claim, ...]) -> tuple[Claim, ...]:
    """The rows, each checked to be a :class:`Claim` (TypeError naming the first that is not)."""
    rows = tuple(claims)
    for k, row in enumerate(rows):
        if not isinstance(row, Claim):
            raise TypeError(f"claims[{k}] must be a Claim, got {row!r}")
    return rows


def counts(claims: tuple[Claim, ...] = CLAIMS) -> dict[str, int]:
    """How many rows have each verdict.

    Raises:
        TypeError: a row is not a :class:`Claim`.

    Example:
        >>> counts((CLAIMS[0], CLAIMS[1]))
        {'confirmed': 1, 'corrected': 1}
    """
    return dict(Counter(c.verdict for c in _rows(claims)))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def as_markdown(claims: tuple[Claim, ...] = CLAIMS) -> str:
    """The ledger as a Markdown table, one numbered row per claim.

    The notebook link is relative (the notebooks sit side by side); a section is named
    by its heading text.

    Raises:
        TypeError: a row is not a :class:`Claim`.

    Example:
        >>> as_markdown(CLAIMS[:1]).splitlines()[2].startswith("| 1 | AdaGrad: G_t grows")
        True
    """
    lines = [
        "| # | claim in the source notes | verdict | why | where |",
        "|---|---|---|---|---|",
    ]
    for k, c in enumerate(_rows(claims), 1):
        where = f"[{c.notebook[:2]}]({c.notebook}), {_cell(c.section)}"
        lines.append(f"| {k} | {_cell(c.claim)} | **{c.verdict}** | {_cell(c.reason)} | {where} |")
    return "\n".join(lines)
