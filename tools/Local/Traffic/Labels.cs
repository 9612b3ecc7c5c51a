using System.Security.Cryptography;
using System.Text.Json;

namespace FraudTf.Local.Traffic;

/// <summary>The ground truth of one transaction id.</summary>
/// <param name="Scenario">The scenario of its first (non-replay) record.</param>
/// <param name="IsFraud">Whether it is fraudulent.</param>
public sealed record Label(string Scenario, bool IsFraud);

/// <summary>One line of the labels file: one record, in send order.</summary>
/// <param name="Index">Position in send order (0-based).</param>
/// <param name="PartitionKey">Its partition key.</param>
/// <param name="TransactionId">Its transaction id (null for a malformed record).</param>
/// <param name="Scenario">Its scenario.</param>
/// <param name="IsFraud">Whether it is fraudulent.</param>
/// <param name="Kind">Valid, malformed or replay.</param>
/// <param name="Defect">A malformed record's defect, else null.</param>
/// <param name="EventTime">Its event time (simulated).</param>
/// <param name="DataSha256">Lower-case hex SHA-256 of its bytes (joins a quarantined record, which has no transaction id).</param>
/// <param name="Bytes">Its size in bytes.</param>
public sealed record LabelLine(int Index, string PartitionKey, string? TransactionId, string Scenario, bool IsFraud, RecordKind Kind,
    MalformedKind? Defect, DateTimeOffset EventTime, string DataSha256, int Bytes);

/// <summary>
/// The ground truth a report joins decisions with: transaction id to scenario and fraud flag, counts per scenario and
/// kind, and one JSON line per record in send order (deterministic: fixed field order, invariant formats, UTC times).
/// </summary>
public sealed class Labels
{
    private Labels(IReadOnlyList<LabelLine> lines)
    {
        Lines = lines;
        var byId = new Dictionary<string, Label>(StringComparer.Ordinal);
        foreach (var l in lines.Where(l => l.Kind == RecordKind.Valid && l.TransactionId is not null))
        {
            byId.TryAdd(l.TransactionId!, new Label(l.Scenario, l.IsFraud));
        }

        ByTransactionId = byId;
        Counts = lines.GroupBy(l => (l.Scenario, l.Kind)).OrderBy(g => g.Key.Scenario, StringComparer.Ordinal).ThenBy(g => g.Key.Kind)
            .ToDictionary(g => g.Key, g => g.Count());
    }

    /// <summary>One line per record, in send order.</summary>
    public IReadOnlyList<LabelLine> Lines { get; }

    /// <summary>Transaction id to its label (from its original record; replays share it).</summary>
    public IReadOnlyDictionary<string, Label> ByTransactionId { get; }

    /// <summary>Records per (scenario, kind).</summary>
    public IReadOnlyDictionary<(string Scenario, RecordKind Kind), int> Counts { get; }

    /// <summary>Records per scenario.</summary>
    public IReadOnlyDictionary<string, int> CountsByScenario =>
        Counts.GroupBy(c => c.Key.Scenario).ToDictionary(g => g.Key, g => g.Sum(c => c.Value));

    /// <summary>Fraudulent records (replays included).</summary>
    public int FraudRecords => Lines.Count(l => l.IsFraud);

    /// <summary>The labels of <paramref name="records"/> (in send order).</summary>
    public static Labels From(IReadOnlyList<LabelledRecord> records) =>
        new(records.Select((r, i) => new LabelLine(i, r.PartitionKey, r.TransactionId, r.Scenario, r.IsFraud, r.Kind, r.Defect,
            r.EventTime.ToUniversalTime(), Convert.ToHexStringLower(SHA256.HashData(r.Data)), r.Data.Length)).ToList());

    /// <summary>Writes one JSON object per line (LF), in send order.</summary>
    public void WriteJsonLines(Stream output)
    {
        foreach (var l in Lines)
        {
            using (var w = new Utf8JsonWriter(output))
            {
                w.WriteStartObject();
                w.WriteNumber("index", l.Index);
                w.WriteString("partitionKey", l.PartitionKey);
                if (l.TransactionId is null)
                {
                    w.WriteNull("transactionId");
                }
                else
                {
                    w.WriteString("transactionId", l.TransactionId);
                }

                w.WriteString("scenario", l.Scenario);
                w.WriteBoolean("isFraud", l.IsFraud);
                w.WriteString("kind", l.Kind.ToString());
                if (l.Defect is null)
                {
                    w.WriteNull("defect");
                }
                else
                {
                    w.WriteString("defect", l.Defect.Value.ToString());
                }

                w.WriteString("eventTime", l.EventTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
                w.WriteString("dataSha256", l.DataSha256);
                w.WriteNumber("bytes", l.Bytes);
                w.WriteEndObject();
            }

            output.WriteByte((byte)'\n');
        }
    }

    /// <summary>The JSON lines as a string.</summary>
    public string ToJsonLines()
    {
        using var ms = new MemoryStream();
        WriteJsonLines(ms);
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>Reads what <see cref="WriteJsonLines"/> wrote.</summary>
    public static Labels ReadJsonLines(TextReader input)
    {
        var lines = new List<LabelLine>();
        var n = 0;
        while (input.ReadLine() is { } text)
        {
            n++;
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(text);
                var o = doc.RootElement;
                lines.Add(new LabelLine(
                    o.GetProperty("index").GetInt32(),
                    o.GetProperty("partitionKey").GetString()!,
                    o.GetProperty("transactionId").GetString(),
                    o.GetProperty("scenario").GetString()!,
                    o.GetProperty("isFraud").GetBoolean(),
                    Enum.Parse<RecordKind>(o.GetProperty("kind").GetString()!),
                    o.GetProperty("defect").GetString() is { } d ? Enum.Parse<MalformedKind>(d) : null,
                    DateTimeOffset.Parse(o.GetProperty("eventTime").GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
                    o.GetProperty("dataSha256").GetString()!,
                    o.GetProperty("bytes").GetInt32()));
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException or FormatException)
            {
                throw new InvalidDataException($"Labels line {n} is not a label line ({e.Message}). Fix: regenerate the labels file with the traffic generator.", e);
            }
        }

        return new Labels(lines);
    }
}
