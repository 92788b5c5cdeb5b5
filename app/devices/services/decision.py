"""Decision rules of a statement of conformity (ISO/IEC 17025 7.8.6, ILAC-G8:09/2019)."""

ORDER = ("pass", "conditional_pass", "conditional_fail", "fail")


def decide(error, tolerance, uncertainty, rule):
    """Return the result of one point for its error, tolerance and expanded uncertainty U.

    simple: pass when |error| ≤ tolerance. guard_band: pass when |error| ≤ tolerance − U.
    ilac_g8: pass when |error| + U ≤ tolerance; conditional pass when |error| ≤ tolerance;
    conditional fail when |error| − U ≤ tolerance; fail otherwise.
    """
    size = abs(error)
    if rule == "simple":
        return "pass" if size <= tolerance else "fail"
    if rule == "guard_band":
        return "pass" if size <= tolerance - uncertainty else "fail"
    if size + uncertainty <= tolerance:
        return "pass"
    if size <= tolerance:
        return "conditional_pass"
    if size - uncertainty <= tolerance:
        return "conditional_fail"
    return "fail"


def worst(results):
    """Return the worst of several point results (pass when there is none)."""
    results = [r for r in results if r]
    return max(results, key=ORDER.index) if results else "pass"
