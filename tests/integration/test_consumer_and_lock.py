import asyncio

from shared.aws import AwsClients
from shared.background import BackgroundLoops
from shared.bootstrap import DLQ_SUFFIX
from shared.consumer import QueueConsumer
from shared.correlation import current_request_id, request_id_var
from shared.locks import DynamoLock
from shared.messages import FrameSlot, MalformedMessage, parse_message
from shared.queues import SqsQueueSender


async def test_consumer_handles_each_message_and_deletes_it(aws: AwsClients, aws_fields):
    queue = str(aws_fields["moderation_queue"])
    token = request_id_var.set("req-consumer")
    await SqsQueueSender(aws).send_batch(
        queue, [FrameSlot(video="demo", frame=n) for n in range(12)]
    )
    request_id_var.reset(token)
    seen: list[tuple[int, str | None]] = []
    loops = BackgroundLoops()

    async def handler(body: str) -> None:
        seen.append((parse_message(body, FrameSlot).frame, current_request_id()))

    loops.start("frames", QueueConsumer(aws, queue, handler, wait_seconds=1).run)
    deadline = asyncio.get_running_loop().time() + 20
    while len(seen) < 12 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await loops.stop(5)
    assert sorted(frame for frame, _ in seen) == list(range(12))
    assert {rid for _, rid in seen} == {"req-consumer"}
    url = await aws.queue_url(queue)
    attrs = await aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])
    assert attrs["Attributes"]["ApproximateNumberOfMessages"] == "0"
    assert attrs["Attributes"]["ApproximateNumberOfMessagesNotVisible"] == "0"


async def test_a_failing_handler_gets_the_message_again(aws: AwsClients, aws_fields):
    queue = str(aws_fields["render_queue"])
    await SqsQueueSender(aws).send(queue, FrameSlot(video="demo", frame=1))
    calls: list[str] = []

    async def flaky(body: str) -> None:
        calls.append(body)
        if len(calls) == 1:
            raise RuntimeError("transient")

    consumer = QueueConsumer(aws, queue, flaky, wait_seconds=1)
    loops = BackgroundLoops()
    loops.start("render", consumer.run)
    deadline = asyncio.get_running_loop().time() + 20
    while len(calls) < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await loops.stop(5)
    assert len(calls) == 2


async def test_a_malformed_message_ends_in_the_dead_letter_queue(aws: AwsClients, aws_fields):
    queue = str(aws_fields["moderation_queue"])
    url = await aws.queue_url(queue)
    await aws.sqs.send_message(QueueUrl=url, MessageBody="{not json")
    attempts: list[str] = []

    async def strict(body: str) -> None:
        attempts.append(body)
        parse_message(body, FrameSlot)

    loops = BackgroundLoops()
    loops.start("moderation", QueueConsumer(aws, queue, strict, wait_seconds=1).run)
    dlq = await aws.queue_url(queue + DLQ_SUFFIX)
    dead: list[dict] = []
    deadline = asyncio.get_running_loop().time() + 30
    while not dead and asyncio.get_running_loop().time() < deadline:
        dead = (await aws.sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=1)).get("Messages", [])
    await loops.stop(5)
    assert [m["Body"] for m in dead] == ["{not json"]
    assert len(attempts) == 5
    assert issubclass(MalformedMessage, Exception)


async def test_background_loops_stop_within_the_bound_even_mid_long_poll(aws, aws_fields):
    consumer = QueueConsumer(aws, str(aws_fields["moderation_queue"]), lambda body: None)
    loops = BackgroundLoops()
    loops.start("idle", consumer.run)
    await asyncio.sleep(0.3)
    started = asyncio.get_running_loop().time()
    await loops.stop(5)
    assert asyncio.get_running_loop().time() - started < 1.0


async def test_only_one_holder_gets_the_lock_until_it_is_released_or_expires(aws, aws_fields):
    table = str(aws_fields["reviews_table"])
    now = [1000.0]
    first = DynamoLock(aws.dynamodb, table, "reconcile", ttl_seconds=30, clock=lambda: now[0])
    second = DynamoLock(aws.dynamodb, table, "reconcile", ttl_seconds=30, clock=lambda: now[0])
    assert await first.acquire()
    assert not await second.acquire()
    assert await first.acquire()  # extending our own lock works
    await first.release()
    assert await second.acquire()
    now[0] += 31  # second crashed without releasing: its lock expires
    assert await first.acquire()
    async with second.held() as got:
        assert not got


async def test_a_consumer_started_before_its_queue_exists_waits_for_it(aws, aws_fields, caplog):
    queue = "ofof-created-later"
    seen: list[str] = []

    async def handler(body: str) -> None:
        seen.append(body)

    loops = BackgroundLoops()
    loops.start("late", QueueConsumer(aws, queue, handler, wait_seconds=1).run)
    await asyncio.sleep(1.5)  # the consumer is waiting, not crashing
    url = (await aws.sqs.create_queue(QueueName=queue))["QueueUrl"]
    await aws.sqs.send_message(QueueUrl=url, MessageBody="hello")
    deadline = asyncio.get_running_loop().time() + 15
    while not seen and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.05)
    await loops.stop(5)
    assert seen == ["hello"]
    messages = [record.getMessage() for record in caplog.records]
    assert "queue does not exist yet; waiting" in messages
    assert not any("crashed" in message for message in messages)


async def test_a_message_whose_queue_was_recreated_while_handled_does_not_stop_the_consumer(
    aws: AwsClients, aws_fields, caplog
):
    queue = str(aws_fields["render_queue"])
    await SqsQueueSender(aws).send_batch(queue, [FrameSlot(video="demo", frame=1)])
    url = await aws.queue_url(queue)
    received = await aws.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)
    [message] = received["Messages"]
    handled: list[str] = []

    async def handler(body: str) -> None:
        # The local AWS restarts mid-handling: the queue, and the receipt, are gone.
        await aws.sqs.delete_queue(QueueUrl=url)
        handled.append(body)

    consumer = QueueConsumer(aws, queue, handler, wait_seconds=1)
    await consumer.handle_one(url, message)
    assert len(handled) == 1
    assert "handled message not deleted; it may come again" in caplog.text
