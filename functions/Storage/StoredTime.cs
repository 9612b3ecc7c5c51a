namespace FraudTf.Functions.Storage;

/// <summary>
/// How the tables store a point in time: ISO 8601 UTC with a fixed width (seven fractional digits and <c>Z</c>), so the
/// strings sort as time (the byUserTime index's sort key, decidedAt, lastTransactionAt). One format for every writer.
/// </summary>
public static class StoredTime
{
    /// <summary><paramref name="t"/> as stored.</summary>
    public static string Format(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>A stored time read back (any ISO 8601 form; no zone means UTC); false when it is not one.</summary>
    public static bool TryParse(string text, out DateTimeOffset t) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out t);
}
