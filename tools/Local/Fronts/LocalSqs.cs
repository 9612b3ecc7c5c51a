using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;

namespace FraudTf.Local.Fronts;

/// <summary>One message of a local queue.</summary>
/// <param name="MessageId">Its id.</param>
/// <param name="Body">Its body.</param>
/// <param name="Attributes">Its string message attributes.</param>
/// <param name="SentAt">When it was sent.</param>
public sealed record QueuedMessage(string MessageId, string Body, IReadOnlyDictionary<string, string> Attributes, DateTimeOffset SentAt);

/// <summary>
/// A local runner of Amazon SQS for the stack's queues (no SQS emulator is installed here): the JSON protocol that
/// AWSSDK.SQS 4 speaks (<c>application/x-amz-json-1.0</c>, target <c>AmazonSQS.&lt;Operation&gt;</c>; "Amazon SQS
/// AWS JSON protocol") for SendMessage, SendMessageBatch, GetQueueUrl, GetQueueAttributes, ReceiveMessage and
/// DeleteMessage, with the MD5 digests the SDK verifies (of the body, and of the message attributes as "Calculating the
/// MD5 message digest for message attributes" defines it). Queues come from the stack's <c>aws_sqs_queue</c> blocks; URLs
/// are <c>&lt;endpoint&gt;/&lt;account&gt;/&lt;name&gt;</c>, set on the stack so functions' <c>DLQ_URL</c> resolve to them. It
/// also implements <see cref="IQueueSender"/> for the runners (dead-letter queues by ARN) and puts
/// <c>AWS/SQS ApproximateNumberOfMessagesVisible</c> (QueueName) on every change. Not done: visibility timeouts beyond
/// a fixed 30 s, FIFO queues, KMS, the 256 KiB size limit (a larger message is refused, as SQS refuses it).
/// </summary>
public sealed class LocalSqs : LocalHttpServer, IQueueSender
{
    private readonly ConcurrentDictionary<string, LocalQueue> _byName = new(StringComparer.Ordinal);
    private readonly IMetricSink _metrics;
    private readonly TimeProvider _time;
    private readonly string _account;
    private readonly string _region;

    private LocalSqs(string account, string region, IMetricSink metrics, TimeProvider time)
    {
        _account = account;
        _region = region;
        _metrics = metrics;
        _time = time;
    }

    /// <summary>Starts the server with the stack's queues and sets their <c>url</c> attributes.</summary>
    public static LocalSqs FromStack(LocalStack stack, IMetricSink metrics, TimeProvider time)
    {
        var sqs = new LocalSqs(stack.Account, stack.Region, metrics, time);
        sqs.Start();
        foreach (var (address, body) in stack.Resources("aws_sqs_queue"))
        {
            var name = stack.Resolve(body["name"]!.GetValue<string>());
            var maxSize = LocalStack.Int(body, "max_message_size", 262_144);
            sqs._byName[name] = new LocalQueue(name, maxSize);
            stack.SetAttribute("aws_sqs_queue", address, "url", sqs.Url(name));
            stack.SetAttribute("aws_sqs_queue", address, "id", sqs.Url(name));
        }

        return sqs;
    }

    /// <summary>The URL of a queue.</summary>
    public string Url(string name) => $"{Endpoint}/{_account}/{name}";

    /// <summary>The messages of a queue (visible or not), in order.</summary>
    public IReadOnlyList<QueuedMessage> Messages(string name) => _byName.TryGetValue(name, out var q) ? q.Snapshot() : [];

    /// <summary>Every queue's name.</summary>
    public IReadOnlyList<string> Queues => _byName.Keys.Order(StringComparer.Ordinal).ToList();

    /// <inheritdoc />
    public Task Send(string queueArn, string body, IReadOnlyDictionary<string, string>? attributes, CancellationToken ct)
    {
        var name = queueArn[(queueArn.LastIndexOf(':') + 1)..];
        Enqueue(Find(name), body, attributes ?? new Dictionary<string, string>());
        return Task.CompletedTask;
    }

    /// <summary>MD5 (hex) of message attributes, as SQS computes it.</summary>
    public static string AttributesMd5(IEnumerable<(string Name, string DataType, string Value)> attributes)
    {
        using var buffer = new MemoryStream();
        void Put(byte[] bytes)
        {
            Span<byte> length = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.Write(length);
            buffer.Write(bytes);
        }

        foreach (var (name, type, value) in attributes.OrderBy(a => a.Name, StringComparer.Ordinal))
        {
            Put(Encoding.UTF8.GetBytes(name));
            Put(Encoding.UTF8.GetBytes(type));
            buffer.WriteByte(1); // String and Number values are transported as strings
            Put(Encoding.UTF8.GetBytes(value));
        }

        return Convert.ToHexStringLower(MD5.HashData(buffer.ToArray()));
    }

    /// <inheritdoc />
    protected override async Task Handle(HttpListenerContext context, CancellationToken ct)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var request = JsonNode.Parse(await reader.ReadToEndAsync(ct)) as JsonObject ?? [];
        var target = context.Request.Headers["X-Amz-Target"] ?? "";
        var operation = target[(target.IndexOf('.') + 1)..];
        JsonObject answer;
        try
        {
            answer = operation switch
            {
                "SendMessage" => SendOne(request, Queue(request)),
                "SendMessageBatch" => SendBatch(request),
                "GetQueueUrl" => new JsonObject { ["QueueUrl"] = Url(Find(request["QueueName"]!.GetValue<string>()).Name) },
                "GetQueueAttributes" => new JsonObject { ["Attributes"] = new JsonObject { ["ApproximateNumberOfMessages"] = Queue(request).Visible(_time.GetUtcNow()).ToString(System.Globalization.CultureInfo.InvariantCulture) } },
                "ReceiveMessage" => Receive(request),
                "DeleteMessage" => Delete(request),
                _ => throw new SqsError("UnsupportedOperation", $"the local SQS does not implement {operation}"),
            };
        }
        catch (SqsError e)
        {
            var error = new JsonObject { ["__type"] = $"com.amazonaws.sqs#{e.Code}", ["message"] = e.Message };
            context.Response.Headers.Add("x-amzn-query-error", $"AWS.SimpleQueueService.{e.Code};Sender");
            await Respond(context.Response, 400, "application/x-amz-json-1.0", Encoding.UTF8.GetBytes(error.ToJsonString()), ct);
            return;
        }

        await Respond(context.Response, 200, "application/x-amz-json-1.0", Encoding.UTF8.GetBytes(answer.ToJsonString()), ct);
    }

    private JsonObject SendOne(JsonObject entry, LocalQueue queue)
    {
        var body = entry["MessageBody"]!.GetValue<string>();
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        var typed = new List<(string, string, string)>();
        foreach (var (name, value) in entry["MessageAttributes"] as JsonObject ?? [])
        {
            var type = value!["DataType"]!.GetValue<string>();
            var text = value["StringValue"]?.GetValue<string>() ?? throw new SqsError("InvalidParameterValue", $"attribute {name}: only String and Number attributes are supported locally");
            attributes[name] = text;
            typed.Add((name, type, text));
        }

        var message = Enqueue(queue, body, attributes);
        var answer = new JsonObject { ["MessageId"] = message.MessageId, ["MD5OfMessageBody"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(body))) };
        if (typed.Count > 0)
        {
            answer["MD5OfMessageAttributes"] = AttributesMd5(typed);
        }

        return answer;
    }

    private JsonObject SendBatch(JsonObject request)
    {
        var queue = Queue(request);
        var successful = new JsonArray();
        foreach (var entry in request["Entries"]!.AsArray())
        {
            var result = SendOne(entry!.AsObject(), queue);
            result["Id"] = entry["Id"]!.GetValue<string>();
            successful.Add(result);
        }

        return new JsonObject { ["Successful"] = successful, ["Failed"] = new JsonArray() };
    }

    private JsonObject Receive(JsonObject request)
    {
        var queue = Queue(request);
        var max = request["MaxNumberOfMessages"]?.GetValue<int>() ?? 1;
        var visibility = TimeSpan.FromSeconds(request["VisibilityTimeout"]?.GetValue<int>() ?? 30);
        var messages = new JsonArray();
        foreach (var (message, receipt) in queue.Receive(max, _time.GetUtcNow(), visibility))
        {
            var attributes = new JsonObject();
            foreach (var (name, value) in message.Attributes)
            {
                attributes[name] = new JsonObject { ["DataType"] = "String", ["StringValue"] = value };
            }

            var m = new JsonObject
            {
                ["MessageId"] = message.MessageId,
                ["ReceiptHandle"] = receipt,
                ["Body"] = message.Body,
                ["MD5OfBody"] = Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(message.Body))),
                ["Attributes"] = new JsonObject { ["SentTimestamp"] = message.SentAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture) },
            };
            if (message.Attributes.Count > 0)
            {
                m["MessageAttributes"] = attributes;
                m["MD5OfMessageAttributes"] = AttributesMd5(message.Attributes.Select(a => (a.Key, "String", a.Value)));
            }

            messages.Add(m);
        }

        Gauge(queue);
        return new JsonObject { ["Messages"] = messages };
    }

    private JsonObject Delete(JsonObject request)
    {
        Queue(request).Delete(request["ReceiptHandle"]!.GetValue<string>());
        Gauge(Queue(request));
        return [];
    }

    private LocalQueue Queue(JsonObject request)
    {
        var url = request["QueueUrl"]?.GetValue<string>() ?? throw new SqsError("MissingParameter", "QueueUrl is required");
        return Find(url[(url.LastIndexOf('/') + 1)..]);
    }

    private LocalQueue Find(string name) => _byName.TryGetValue(name, out var q) ? q
        : throw new SqsError("QueueDoesNotExist", $"The specified queue does not exist: {name} (the local run has only the stack's queues: {string.Join(", ", _byName.Keys)})");

    private QueuedMessage Enqueue(LocalQueue queue, string body, IReadOnlyDictionary<string, string> attributes)
    {
        var size = Encoding.UTF8.GetByteCount(body) + attributes.Sum(a => Encoding.UTF8.GetByteCount(a.Key) + Encoding.UTF8.GetByteCount(a.Value) + 6);
        if (size > queue.MaxSize)
        {
            throw new SqsError("InvalidParameterValue", $"One or more parameters are invalid. Reason: Message must be shorter than {queue.MaxSize} bytes.");
        }

        var message = new QueuedMessage(Guid.NewGuid().ToString(), body, attributes, _time.GetUtcNow());
        queue.Add(message);
        Gauge(queue);
        return message;
    }

    private void Gauge(LocalQueue queue) =>
        _metrics.Put(new Datapoint("AWS/SQS", "ApproximateNumberOfMessagesVisible", new Dictionary<string, string> { ["QueueName"] = queue.Name }, _time.GetUtcNow(), queue.Visible(_time.GetUtcNow()), "Count"));

    private sealed class SqsError(string code, string message) : Exception(message)
    {
        public string Code { get; } = code;
    }

    private sealed class LocalQueue(string name, int maxSize)
    {
        private readonly Lock _lock = new();
        private readonly List<(QueuedMessage Message, DateTimeOffset VisibleAt, string? Receipt)> _messages = [];

        public string Name { get; } = name;

        public int MaxSize { get; } = maxSize;

        public void Add(QueuedMessage m)
        {
            lock (_lock)
            {
                _messages.Add((m, DateTimeOffset.MinValue, null));
            }
        }

        public IReadOnlyList<QueuedMessage> Snapshot()
        {
            lock (_lock)
            {
                return _messages.Select(m => m.Message).ToList();
            }
        }

        public int Visible(DateTimeOffset now)
        {
            lock (_lock)
            {
                return _messages.Count(m => m.VisibleAt <= now);
            }
        }

        public List<(QueuedMessage, string)> Receive(int max, DateTimeOffset now, TimeSpan visibility)
        {
            lock (_lock)
            {
                var result = new List<(QueuedMessage, string)>();
                for (var i = 0; i < _messages.Count && result.Count < max; i++)
                {
                    if (_messages[i].VisibleAt <= now)
                    {
                        var receipt = Guid.NewGuid().ToString("N");
                        _messages[i] = (_messages[i].Message, now + visibility, receipt);
                        result.Add((_messages[i].Message, receipt));
                    }
                }

                return result;
            }
        }

        public void Delete(string receipt)
        {
            lock (_lock)
            {
                _messages.RemoveAll(m => m.Receipt == receipt);
            }
        }
    }
}
