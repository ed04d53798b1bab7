from services.renderer.renders.scheduling import (
    PendingChanges,
    RenderAgenda,
    RenderPolicy,
    due_at,
    is_due,
)

DEBOUNCE = RenderPolicy("debounce", 30, 300, 3600)
HOURLY = RenderPolicy("schedule", 30, 300, 3600)


def test_the_first_change_after_a_quiet_spell_renders_at_once():
    assert due_at(DEBOUNCE, PendingChanges(first_change_at=1000, last_render_at=900)) == 1000


def test_renders_are_at_most_one_per_min_interval():
    pending = PendingChanges(first_change_at=1005, last_render_at=1000)
    assert due_at(DEBOUNCE, pending) == 1030
    assert not is_due(DEBOUNCE, pending, 1029)
    assert is_due(DEBOUNCE, pending, 1030)


def test_a_change_never_waits_longer_than_max_delay():
    policy = RenderPolicy("debounce", 1000, 300, 3600)
    assert due_at(policy, PendingChanges(first_change_at=10, last_render_at=5)) == 310


def test_a_forced_render_skips_the_debounce():
    assert due_at(DEBOUNCE, PendingChanges(1005, 1000, forced=True)) == 1005


def test_schedule_mode_renders_hourly():
    assert due_at(HOURLY, PendingChanges(first_change_at=100, last_render_at=50)) == 3650


def test_a_video_never_rendered_renders_at_once():
    assert due_at(HOURLY, PendingChanges(first_change_at=7, last_render_at=None)) == 7


def test_the_agenda_keeps_the_first_change_and_a_force_until_the_render_starts():
    agenda = RenderAgenda(DEBOUNCE)
    agenda.started("v", 0.0)
    agenda.note("v", 10.0, forced=True)
    agenda.note("v", 12.0)
    assert agenda.pending["v"] == PendingChanges(10.0, 0.0, forced=True)
    assert agenda.ready(10.0) == "v"
    agenda.started("v", 10.0)
    assert (agenda.ready(1000.0), agenda.wait_seconds(1000.0)) == (None, None)


def test_the_agenda_waits_for_the_debounce_interval_after_a_render():
    agenda = RenderAgenda(DEBOUNCE)
    agenda.started("v", 0.0)
    agenda.note("v", 5.0)
    assert agenda.ready(5.0) is None
    assert agenda.wait_seconds(5.0) == 25.0
