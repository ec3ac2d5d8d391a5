"""Running a student's function on fixed problems, and the one line that reports it.

``check(task, fn, arg_names, problems, judge)`` calls ``fn`` on every problem (each with the
reference's answer), on fresh copies of the arguments, with warnings silenced and every
exception caught, then prints ONE line and returns True or False:

    ✓ <task> correct on all <N> problems (<names>)
    ✗ <what the answer does on the first problem it fails> [problem '<about>': <size>]

The ✗ line is about the first problem failed, in the order the ✓ line lists them: a judge
names a mistake only when that mistake reproduces the answer there, on a problem where the
mistake's answer is distinct from the right one (else the first difference is shown); an
exception is shown as raised.  One exception to "first": an answer right everywhere except
on problems with a point far from every component is told that it underflows.  Every number
printed is rounded, so the line is the same on every machine (nbval compares it).

``call(fn, args, names)`` is that running for one call (an ``Outcome``: value, error, the
arguments changed in place), for a checker that judges and words its line itself
(``censored``); ``say`` prints the line.
"""
import copy
import dataclasses
import inspect
import itertools
import re
import warnings
from numbers import Real

import numpy as np

RTOL, ATOL = 1e-6, 1e-8          # how close an answer must be to the reference
DISTINCT_RTOL, DISTINCT_ATOL = 10 * RTOL, 10 * ATOL   # a mistake whose answer is closer is not told apart
# log p(x_i, z_i = j) below this for every j: p underflows to 0 in float64 (exp(-746) = 0)
LOG_TINY = np.log(np.finfo(float).smallest_subnormal)

_UNDERFLOW = ("right everywhere except at a point far from every component: there "
              "p(x_i, z_i = j) underflows to 0 in the probability domain; stay in logs "
              "(log_joint, logsumexp)")


class Problem:
    """One input of the student's function: ``args``, the reference's ``answer``, and what a
    judge needs (``context``).  ``about`` is shown with a mistake, ``size`` after it."""

    def __init__(self, name, args, about=None, size=None, **context):
        self.name, self.args, self.context, self.answer = name, args, context, None
        self.about, self._size = about or name, size

    @property
    def size(self):
        if self._size is not None:
            return self._size
        x = self.args[0]
        text = f"n = {len(x)}"
        if len(self.args) > 1 and hasattr(self.args[1], "weights"):
            text += f", k = {len(self.args[1].weights)}"
        elif len(self.args) > 1 and np.ndim(self.args[1]) == 2:
            text += f", k = {np.shape(self.args[1])[1]}"
        return text


class Unnamed(str):
    """A difference from the reference that no mistake with a name explains."""


def with_answers(problems, reference):
    """The problems with the reference's answers; those the reference refuses are left out
    (a variant's reference may not take k = 1, a Gaussian M-step one point, ...)."""
    kept, error = [], None
    for problem in problems:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                problem.answer = reference(*problem.args)
        except Exception as exc:
            error = error or exc
            continue
        kept.append(problem)
    if not kept:
        raise ValueError(f"the reference raised on every problem: {error_text(error)}")
    return kept


def check(task, fn, arg_names, problems, judge):
    """Run ``fn`` on every problem, then report the first problem it fails (or success)."""
    if not callable(fn):
        return say(False, f"expected a function of ({', '.join(arg_names)}) for the {task}, "
                          f"got {describe(fn)}")
    try:
        inspect.signature(fn).bind(*problems[0].args)
    except TypeError as exc:
        return say(False, f"must take the arguments ({', '.join(arg_names)}): {exc}")
    except ValueError:           # no signature to inspect (a builtin): just call it
        pass
    outcomes = []
    for problem in problems:
        outcome = call(fn, problem.args, arg_names)
        if not outcomes and isinstance(outcome.error, NotImplementedError):
            return say(False, "not implemented yet")
        outcomes.append(outcome)
    results = list(zip(problems, outcomes))
    failures = []
    for problem, outcome in results:
        try:
            verdict = _verdict(problem, outcome, judge, results)
        except Exception as exc:        # a strange answer the judge could not handle
            verdict = Unnamed(f"its answer could not be checked ({error_text(exc)})")
        if verdict:
            failures.append((problem, verdict))
    if not failures:
        names = ", ".join(p.name for p in problems)
        return say(True, f"{task} correct on all {len(problems)} problems ({names})")
    if all(type(v) is Unnamed and p.context.get("far") for p, v in failures):
        failures = [(p, _UNDERFLOW) for p, _ in failures]    # right everywhere but far away
    problem, verdict = failures[0]
    return say(False, f"{verdict} [problem '{problem.about}': {problem.size}]")


class Outcome:
    """What one call of the student's function gave: its ``value``, or the ``error`` it raised;
    ``changed``, the names of the arguments it changed in place."""

    def __init__(self, value=None, error=None, changed=()):
        self.value, self.error, self.changed = value, error, changed


def call(fn, args, names):
    """Call ``fn`` on fresh copies of ``args``: warnings silenced, errors caught, changes noted
    (``names`` (one per argument) name the changed arguments in the Outcome)."""
    copies = tuple(_fresh(a) for a in args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            value = fn(*copies)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:            # the student's code must not stop Run All
            return Outcome(error=exc)
    changed = tuple(name for name, a, c in zip(names, args, copies) if not _same(a, c))
    return Outcome(value=value, changed=changed)


def _fresh(a):
    """A copy the student may write to (arrays that were read-only stay read-only)."""
    if isinstance(a, np.ndarray):
        return a.copy()
    try:
        b = copy.deepcopy(a)
    except Exception:
        return a
    for name, value in _attributes(a):
        if isinstance(value, np.ndarray) and not value.flags.writeable:
            getattr(b, name).flags.writeable = False
    return b


def _attributes(a):
    try:
        return sorted(vars(a).items())
    except TypeError:
        return []


def _same(a, b):
    """Whether ``b`` still equals ``a``: arrays, attributes, lists, numbers."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    fields_a, fields_b = _attributes(a), _attributes(b)
    if fields_a or fields_b:
        return [k for k, _ in fields_a] == [k for k, _ in fields_b] and all(
            _same(u, v) for (_, u), (_, v) in zip(fields_a, fields_b))
    try:
        return bool(a == b)
    except Exception:
        return True


def _verdict(problem, outcome, judge, results):
    """What is wrong with one outcome, in words, or None when it is right."""
    if outcome.error is not None:
        return _explain_error(outcome.error, problem)
    if outcome.changed:
        name = outcome.changed[0]
        return (f"changed its input {name} in place: compute a new array instead "
                f"({name} = {name} - m, not {name} -= m)")
    if outcome.value is None and problem.answer is not None:
        return "returned None: is the return statement missing?"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return judge(problem, outcome.value, results)


def _explain_error(exc, problem):
    if isinstance(exc, NotImplementedError):
        return "raised NotImplementedError: not implemented yet for this case"
    if isinstance(exc, ValueError) and "read-only" in str(exc):
        return "tried to change its input params in place (its arrays are read-only): work on a copy"
    tb, built = exc.__traceback__, None
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code.co_name == "__post_init__" and dataclasses.is_dataclass(frame.f_locals.get("self")):
            built = frame.f_locals["self"]
        tb = tb.tb_next
    if built is None:
        hint = problem.context.get("hints", {}).get(type(exc).__name__)
        return f"raised {type(exc).__name__}: {hint}" if hint else f"raised {error_text(exc)}"
    shape = _wrong_field_shape(built, problem)
    return (f"the Params it builds {shape}" if shape
            else f"the Params it builds fails validation: {error_text(exc, with_type=False)}")


def _wrong_field_shape(built, problem):
    """"has weights of shape (8,), expected (2,) ..." for the first field the student built with
    a shape other than the reference's, or None."""
    answer = problem.answer
    if type(answer) is not type(built):
        return None
    n = len(problem.args[0])
    for field in dataclasses.fields(built):
        if not field.init or not hasattr(built, field.name):
            continue
        got, want = np.shape(getattr(built, field.name)), np.shape(getattr(answer, field.name))
        if got != want:
            hint = (": one entry per point where one per component belongs; sum over the points "
                    "(axis 0)" if got[:1] == (n,) and want[:1] != (n,) else "")
            return f"has {field.name} of shape {got}, expected {want}{hint}"
    return None


def error_text(exc, with_type=True):
    """``Type: first line of the message``, without memory addresses (the same on every machine)."""
    try:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    except Exception:
        message = ""
    message = re.sub(r" at 0x[0-9a-fA-F]+", "", message)
    if len(message) > 160:
        message = message[:157] + "..."
    if not with_type:
        return message
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def say(passed, text):
    print(("✓ " if passed else "✗ ") + text)
    return passed


def describe(value):
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)} items"
    module = type(value).__module__
    if dataclasses.is_dataclass(value) and module.startswith("emlab."):
        return f"{module[len('emlab.'):]}.{type(value).__name__}"
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def close(a, b, rtol=RTOL, atol=ATOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def distinct(wrong, right):
    """Whether a mistake's answer is far enough from the right one to tell them apart."""
    return not close(wrong, right, DISTINCT_RTOL, DISTINCT_ATOL)


def which_mistake(value, right, variants):
    """The one mistake among ``variants`` [(mistake, its answer)] that ``value`` reproduces,
    where that answer is distinct from the ``right`` one; None when none does, or several
    mistakes do (the problem cannot tell them apart)."""
    found = []
    for mistake, wrong in variants:
        if wrong is not None and mistake not in found and close(value, wrong) and distinct(wrong, right):
            found.append(mistake)
    return found[0] if len(found) == 1 else None


def is_number(value):
    if isinstance(value, np.ndarray):
        return value.ndim == 0 and value.dtype.kind in "iuf"
    return isinstance(value, Real) and not isinstance(value, (bool, np.bool_))


def worst(got, expected):
    """Where the largest difference is, as "[i, j]: got a, expected b"."""
    diff = np.abs(np.asarray(got, float) - np.asarray(expected, float))
    diff = np.where(np.isnan(diff), np.inf, diff)
    index = np.unravel_index(int(np.argmax(diff)), diff.shape)
    where = "[" + ", ".join(map(str, index)) + "]"
    return where + ": " + got_expected(np.asarray(got)[index], np.asarray(expected)[index])


def got_expected(got, expected):
    """"got a, expected b" with as few digits as tell them apart (at least 4)."""
    for digits in (4, 6, 8, 10, 17):
        a, b = f"{float(got):.{digits}g}", f"{float(expected):.{digits}g}"
        if a != b:
            break
    return f"got {a}, expected {b}"


def orders(k):
    """The orders of k components other than 0, 1, ..., k-1 (none past k = 3)."""
    return [order for order in itertools.permutations(range(k)) if order != tuple(range(k))] if k <= 3 else []


def attempt(f, *args):
    """f(*args), or None when it raises."""
    try:
        return f(*args)
    except Exception:
        return None


def field_names(params):
    """The fields of a Params: a dataclass's own (those set by its constructor), else the
    instance's public attributes."""
    if dataclasses.is_dataclass(params):
        return [f.name for f in dataclasses.fields(params) if f.init]
    return sorted(name for name in vars(params) if not name.startswith("_"))
