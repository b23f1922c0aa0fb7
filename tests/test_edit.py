"""The text edits under `check --fix` (warmplan.config.edit), over generated layouts:
whatever the spacing, style and comments, the edited text reads (by PyYAML's own safe
loader, the oracle) as the data with that one value changed, and nothing else moved."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from warmplan.config.edit import set_value

items = st.lists(st.integers(1, 10_000), min_size=1, max_size=6, unique=True)
spaces = st.sampled_from(["", " ", "  "])


@st.composite
def milestone_files(draw: st.DrawFn) -> tuple[str, list[int]]:
    """A decay block whose milestones are a flow or a block list, commented."""
    values = draw(items)
    if draw(st.booleans()):
        gap = draw(spaces)
        inner = ("," + gap).join(f"{draw(spaces)}{v}{draw(spaces)}" for v in values)
        listed = f" [{gap}{inner}{gap}]  # drops\n"
    else:
        indent = " " * draw(st.sampled_from([2, 4]))
        listed = "   # drops\n" + "".join(f"{indent}- {v}  # at {v}\n" for v in values)
    head = "# a plan\ndecay:\n  kind: multistep\n  milestones:"
    return head + listed + "  gamma: 0.5  # x0.5\n", values


def comments(text: str) -> list[str]:
    return [line[line.index("#") :] for line in text.splitlines() if "#" in line]


@settings(max_examples=40, deadline=None)
@given(milestone_files(), st.randoms(use_true_random=False))
def test_a_reordered_list_reads_as_the_new_order_comments_kept(case, random):
    text, values = case
    order = list(values)
    random.shuffle(order)
    if order == values:
        order = order[::-1]
    if order == values:  # one item: nothing to reorder
        return
    edited = set_value(text, ("decay", "milestones"), order)
    data = yaml.safe_load(edited)
    assert data["decay"] == {"kind": "multistep", "milestones": order, "gamma": 0.5}
    assert len(edited) == len(text)  # the same texts, moved
    assert sorted(comments(edited)) == sorted(comments(text))
    assert comments(edited)[:2] == comments(text)[:2]  # "# a plan", the list's "# drops"
    for line in edited.splitlines():  # a block item's comment moved with it
        if "# at " in line:
            assert line.split("-")[1].split("#")[0].strip() == line.split("# at ")[1]


@settings(max_examples=40, deadline=None)
@given(milestone_files())
def test_a_list_put_under_epochs_reads_as_that_mapping_comments_kept(case):
    text, values = case
    edited = set_value(text, ("decay", "milestones"), {"epochs": values})
    data = yaml.safe_load(edited)
    assert data["decay"]["milestones"] == {"epochs": values}
    assert data["decay"]["gamma"] == 0.5
    assert comments(edited) == comments(text)
    # a flow list is wrapped on its line; a block list gets one line more
    assert edited.count("\n") - text.count("\n") in (0, 1)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 10**6), st.integers(1, 10**6), spaces, st.sampled_from(["", "'", '"']))
def test_a_number_replaced_in_place_keeps_the_rest_of_its_line(old, new, gap, quote):
    text = f"decay:\n  {quote}T_max{quote}:{gap} {old}{gap}  # horizon\n  eta_min: 0.0\n"
    if old == new:
        return
    edited = set_value(text, ("decay", "T_max"), new)
    assert edited == text.replace(f" {old}{gap}  #", f" {new}{gap}  #")
    assert yaml.safe_load(edited)["decay"] == {"T_max": new, "eta_min": 0.0}
