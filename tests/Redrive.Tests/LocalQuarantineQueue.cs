namespace FraudTf.Redrive.Tests;

/// <summary>
/// An in-memory queue with the SQS semantics the redrive relies on (no SQS emulator from npm speaks the JSON protocol
/// of AWSSDK.SQS 4, so this local runner implements them, per the Amazon SQS Developer Guide, "Amazon SQS visibility
/// timeout"): ReceiveMessage returns at most 10 visible messages and hides them for the visibility timeout; DeleteMessage
/// removes a message; ChangeMessageVisibility 0 makes it visible again at once; SentTimestamp is the send time.
/// </summary>
internal sealed class LocalQuarantineQueue(TimeProvider time) : IQuarantineQueue
{
    private sealed class Entry(string id, string body, DateTimeOffset sent)
    {
        public string Id { get; } = id;
        public string Body { get; } = body;
        public DateTimeOffset Sent { get; } = sent;
        public DateTimeOffset VisibleAt { get; set; } = DateTimeOffset.MinValue;
        public string Receipt { get; set; } = "";
    }

    private readonly List<Entry> _entries = [];

    /// <summary>Sends a message (as the stream processor's quarantine does); <paramref name="sentAt"/> defaults to now.</summary>
    public string Send(string body, DateTimeOffset? sentAt = null)
    {
        var id = Guid.NewGuid().ToString();
        _entries.Add(new Entry(id, body, sentAt ?? time.GetUtcNow()));
        return id;
    }

    /// <summary>Bodies of the messages still in the queue (visible or not).</summary>
    public IReadOnlyList<string> Bodies => _entries.Select(e => e.Body).ToList();

    /// <summary>Bodies of the messages visible now.</summary>
    public IReadOnlyList<string> VisibleBodies => _entries.Where(e => e.VisibleAt <= time.GetUtcNow()).Select(e => e.Body).ToList();

    public Task<IReadOnlyList<QueueMessage>> Receive(TimeSpan visibility, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var batch = _entries.Where(e => e.VisibleAt <= now).Take(10).ToList();
        foreach (var e in batch)
        {
            e.VisibleAt = now + visibility;
            e.Receipt = Guid.NewGuid().ToString();
        }

        return Task.FromResult<IReadOnlyList<QueueMessage>>(batch.Select(e => new QueueMessage(e.Id, e.Receipt, e.Body, e.Sent)).ToList());
    }

    public Task Delete(QueueMessage message, CancellationToken ct)
    {
        _entries.RemoveAll(e => e.Receipt == message.ReceiptHandle);
        return Task.CompletedTask;
    }

    public Task Release(QueueMessage message, CancellationToken ct)
    {
        foreach (var e in _entries.Where(e => e.Receipt == message.ReceiptHandle))
        {
            e.VisibleAt = DateTimeOffset.MinValue;
        }

        return Task.CompletedTask;
    }
}
