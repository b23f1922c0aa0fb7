"""The trap codes of configs that name torch classes by path (Lightning CLI, Hydra,
torchtune): WP130-WP139 (WP130-WP134 so far), registered as `check` rules beside WP120-WP127."""

from __future__ import annotations

EPOCH_HORIZON = "WP130"  # an epoch-stepped scheduler whose horizon is counted in steps
STEPS_CUT_EPOCHS = "WP131"  # trainer.max_steps and max_epochs both given: one is ignored
CYCLE_OVERRIDES_LR = "WP132"  # OneCycleLR's max_lr replacing the optimizer's lr
STEPS_PER_EPOCH_CAP = "WP133"  # torchtune's max_steps_per_epoch shortening the cosine
RECIPE_FILLS = "WP134"  # a scheduler argument torchtune's recipe replaces with its own

TITLES = {
    EPOCH_HORIZON: "a scheduler stepped once per epoch whose horizon looks like steps",
    STEPS_CUT_EPOCHS: "trainer.max_steps and max_epochs both given: the other one never ends "
    "training",
    CYCLE_OVERRIDES_LR: "OneCycleLR's max_lr replacing the optimizer's lr without a word",
    STEPS_PER_EPOCH_CAP: "torchtune's max_steps_per_epoch cutting epochs (and the schedule) short",
    RECIPE_FILLS: "an lr_scheduler argument torchtune's recipe replaces with its own value",
}
