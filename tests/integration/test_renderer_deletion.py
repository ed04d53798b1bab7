"""The renderer against moto when a contributor deletes a photo: the verdict moderation
announces drops it from the next clip, and every version keeps its own facts."""

from datetime import UTC, datetime

from services.renderer.renders.consumers import VerdictConsumer
from shared.messages import SubmissionModerated
from shared.records import ClipPointer, clip_facts_key, rendition_key
from tests.integration import test_renderer_render as base
from tests.media import decoded_frames, mean_rgb

deps, approve, download = base.deps, base.approve, base.download
BOX = (200, 120, 440, 240)


async def deleted(deps, submission: str, frame: int) -> None:
    """What moderation announces for a deleted photo, then erases its files."""
    verdict = SubmissionModerated(
        submission_id=submission,
        video="clip",
        frame=frame,
        verdict="rejected",
        score=0.8,
        reasons=["deleted_by_contributor"],
        judgments=3,
        decided_at=datetime.now(UTC),
    )
    await VerdictConsumer(deps.renderer)(verdict.to_body())
    await deps.store.delete([rendition_key(submission, "large")])


async def test_a_deleted_photo_leaves_the_next_clip_and_each_version_keeps_its_facts(
    deps, tmp_path
):
    await approve(deps, "sub-1", frame=23)
    first = await deps.renderer.render("clip")
    await deleted(deps, "sub-1", frame=23)
    second = await deps.renderer.render("clip")
    current, _ = await deps.s3_publisher.current("clip")
    assert (current.version, current.filled_frames) == (second.version, [])
    frames = decoded_frames(await download(deps, current.mp4_key, tmp_path / "clip.mp4"))
    shown = mean_rgb(frames[23], BOX)
    assert not all(abs(g - c) <= 40 for g, c in zip(shown, base.RED, strict=True))
    for report, filled in ((first, [23]), (second, [])):
        facts = await deps.store.get_record(clip_facts_key("clip", report.version), ClipPointer)
        assert (facts.version, facts.filled_frames) == (report.version, filled)
