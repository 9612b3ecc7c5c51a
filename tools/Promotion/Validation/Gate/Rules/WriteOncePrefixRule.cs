// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-TRUST-002: objects under a bucket's write-once prefixes (<c>"//".write_once_prefixes</c>) cannot be overwritten.
/// The bucket policy denies <c>s3:PutObject</c> on <c>&lt;bucket arn&gt;/&lt;prefix&gt;*</c> to Principal <c>*</c> unless the
/// request is conditional: a Deny with <c>"Null": {"s3:if-none-match": "true"}</c>. A PutObject with <c>If-None-Match: *</c>
/// on an existing key then fails with 412 Precondition Failed instead of replacing the record. Only an additional
/// <c>Bool s3:ObjectCreationOperation</c> condition is accepted next to it (it exempts the multipart-upload part calls,
/// which cannot carry the header); any other condition narrows the Deny.
/// Source: Amazon S3 User Guide, "Enforce conditional writes on Amazon S3 buckets" (condition keys s3:if-none-match,
/// s3:if-match, s3:ObjectCreationOperation) and "Add preconditions to S3 operations with conditional requests".
/// </summary>
public sealed class WriteOncePrefixRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-TRUST-002";

    /// <inheritdoc />
    public override string Title => "Write-once prefixes deny unconditional s3:PutObject (Null s3:if-none-match)";

    /// <inheritdoc />
    public override string Source =>
        "Amazon S3 User Guide, \"Enforce conditional writes on Amazon S3 buckets\" (s3:if-none-match, s3:ObjectCreationOperation)";

    /// <inheritdoc />
    public override string Limits =>
        "CopyObject into the prefix then always fails (403 without the header, 501 with it): by design. Deletion is a separate matter (versioning, Object Lock).";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var bucket in stack.OfType("aws_s3_bucket"))
        {
            var prefixes = bucket.Metadata("write_once_prefixes") is JsonArray a ? GateStack.Strings(a) : [];
            if (prefixes.Count == 0)
            {
                continue;
            }

            var policies = stack.OfType("aws_s3_bucket_policy").Where(p => GateQueries.Designates(p.Body["bucket"], bucket, "bucket", ":::")).ToList();
            var statements = policies.SelectMany(p => GateStack.Statements(p.Body["policy"]) ?? []).ToList();
            foreach (var prefix in prefixes)
            {
                var enforced = statements.Any(s => !s.IsAllow
                    && GateQueries.AppliesToEveryone(s)
                    && GateQueries.Grants(s, "s3:PutObject")
                    && RequiresIfNoneMatch(s)
                    && s.Resources.Any(r => GateQueries.CoversEveryKeyUnder(GateQueries.WithBucketToken(r, bucket), "BUCKET/" + prefix)));
                if (!enforced)
                {
                    var where = policies.Count == 0 ? "it has no aws_s3_bucket_policy" : $"{string.Join(", ", policies.Select(p => p.Address))} has no such Deny";
                    yield return Finding(bucket,
                        $"Bucket {bucket.Address} ({bucket.String("bucket") ?? bucket.ConstructPath ?? bucket.Address}) declares write-once prefix '{prefix}', but {where}: " +
                        "an unconditional PutObject silently overwrites an existing record. " +
                        "Fix: add to the bucket policy {\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:PutObject\"," +
                        $"\"Resource\":\"<bucket arn>/{prefix}*\",\"Condition\":{{\"Null\":{{\"s3:if-none-match\":\"true\"}}}}}} " +
                        "(add \"Bool\":{\"s3:ObjectCreationOperation\":\"true\"} only if multipart uploads are used) and write with IfNoneMatch = \"*\".");
                }
            }
        }
    }

    /// <summary>True when the statement's conditions are Null s3:if-none-match = true, plus at most Bool s3:ObjectCreationOperation.</summary>
    private static bool RequiresIfNoneMatch(GateStatement s)
    {
        var nullValues = s.ConditionValues("Null", "s3:if-none-match");
        if (nullValues.Count != 1 || !string.Equals(nullValues[0], "true", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return s.ConditionKeys().All(k =>
            (k.Operator == "Null" && string.Equals(k.Key, "s3:if-none-match", StringComparison.OrdinalIgnoreCase))
            || (k.Operator == "Bool" && string.Equals(k.Key, "s3:ObjectCreationOperation", StringComparison.OrdinalIgnoreCase)));
    }
}
