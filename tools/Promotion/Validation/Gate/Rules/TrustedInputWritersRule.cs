using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-TRUST-001: the inputs the platform trusts are writable only by their writers. Every DynamoDB table and Kinesis
/// stream that a function or pipe of the stack reads (its role is allowed a read action on it, or an event source mapping
/// or pipe consumes it) has a resource policy with a Deny to Principal <c>*</c> of the write actions unless
/// <c>aws:PrincipalArn</c> is one of the writers (ArnNotEquals/ArnNotLike/StringNotEquals/StringNotLike, and no other
/// condition, which would narrow the Deny). The same holds for the S3 prefixes a Bedrock knowledge base ingests: the bucket
/// policy denies s3:PutObject, s3:DeleteObject and s3:DeleteObjectVersion on <c>&lt;bucket arn&gt;/&lt;prefix&gt;*</c>.
/// Without it, any principal of the account with broad IAM permissions (an administrator, a CI role, a compromised
/// function) can forge a transaction, a decision or a knowledge-base document that the platform then acts on.
/// DynamoDB's PartiQL write actions are included: they write the same items and would bypass a Deny of PutItem alone.
/// Source: IAM User Guide, "Policy evaluation logic" (an explicit Deny in a resource-based policy overrides any Allow) and
/// "AWS global condition context keys" (aws:PrincipalArn is the role ARN for a role session); Amazon DynamoDB Developer
/// Guide, "Using resource-based policies for DynamoDB"; Amazon Kinesis Data Streams Developer Guide, "Controlling access
/// with resource-based policies"; Amazon S3 User Guide, "Bucket policies for Amazon S3".
/// </summary>
public sealed partial class TrustedInputWritersRule : GateRule
{
    private static readonly string[] TableReads = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:GetRecords"];
    private static readonly string[] TableWrites =
    [
        "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
        "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete",
    ];

    private static readonly string[] StreamReads = ["kinesis:GetRecords"];
    private static readonly string[] StreamWrites = ["kinesis:PutRecord", "kinesis:PutRecords"];
    private static readonly string[] ObjectWrites = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"];
    private static readonly string[] PrincipalOperators = ["ArnNotEquals", "ArnNotLike", "StringNotEquals", "StringNotLike"];

    /// <inheritdoc />
    public override string Id => "GATE-TRUST-001";

    /// <inheritdoc />
    public override string Title => "Tables, streams and knowledge-base prefixes the platform reads deny writes to everyone but their writers";

    /// <inheritdoc />
    public override string Source =>
        "IAM User Guide, \"Policy evaluation logic\" (explicit Deny in a resource-based policy) and \"AWS global condition context keys\" (aws:PrincipalArn); " +
        "Amazon DynamoDB Developer Guide, \"Using resource-based policies for DynamoDB\"; Amazon Kinesis Data Streams Developer Guide, " +
        "\"Controlling access with resource-based policies\"; Amazon S3 User Guide, \"Bucket policies for Amazon S3\"";

    /// <inheritdoc />
    public override string Limits =>
        "Whether the principals listed in the Deny's condition are exactly the intended writers is for review; writes by a service principal with no aws:PrincipalArn are denied too.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        var readerStatements = GateQueries.ComputeRoles(stack)
            .SelectMany(role => GateQueries.IdentityStatements(stack, role))
            .Where(x => x.Statement.IsAllow)
            .ToList();

        foreach (var table in stack.OfType("aws_dynamodb_table"))
        {
            var readBy = Readers(stack, table, ":table/", TableReads, readerStatements).ToList();
            if (readBy.Count > 0 && ResourcePolicyProblem(stack, table, "aws_dynamodb_resource_policy", TableWrites) is { } problem)
            {
                yield return Finding(table, $"DynamoDB table {table.Address} ({table.String("name") ?? table.ConstructPath ?? table.Address}) is read by {string.Join(", ", readBy)}, {problem}");
            }
        }

        foreach (var stream in stack.OfType("aws_kinesis_stream"))
        {
            var readBy = Readers(stack, stream, ":stream/", StreamReads, readerStatements).ToList();
            if (readBy.Count > 0 && ResourcePolicyProblem(stack, stream, "aws_kinesis_resource_policy", StreamWrites) is { } problem)
            {
                yield return Finding(stream, $"Kinesis stream {stream.Address} ({stream.String("name") ?? stream.ConstructPath ?? stream.Address}) is read by {string.Join(", ", readBy)}, {problem}");
            }
        }

        foreach (var source in stack.OfType("aws_bedrockagent_data_source"))
        {
            if (source.At("data_source_configuration.s3_configuration") is not { } s3)
            {
                continue;
            }

            var bucket = stack.OfType("aws_s3_bucket").FirstOrDefault(b => GateQueries.Designates(GateStack.At(s3, "bucket_arn"), b, "bucket", ":::"));
            if (bucket is null)
            {
                continue;
            }

            var prefixes = GateStack.Strings(GateStack.At(s3, "inclusion_prefixes"));
            var statements = stack.OfType("aws_s3_bucket_policy").Where(p => GateQueries.Designates(p.Body["bucket"], bucket, "bucket", ":::"))
                .SelectMany(p => GateStack.Statements(p.Body["policy"]) ?? []).ToList();
            var missing = new List<string>();
            IReadOnlyList<string> scanned = prefixes.Count == 0 ? [""] : prefixes;
            foreach (var prefix in scanned)
            {
                foreach (var action in ObjectWrites)
                {
                    var denied = statements.Any(s => IsWriterDeny(s, action)
                        && s.Resources.Any(r => GateQueries.CoversEveryKeyUnder(GateQueries.WithBucketToken(r, bucket), "BUCKET/" + prefix)));
                    if (!denied)
                    {
                        missing.Add($"{action} on <bucket arn>/{prefix}*");
                    }
                }
            }

            if (missing.Count > 0)
            {
                yield return Finding(source,
                    $"Knowledge-base data source {source.Address} ingests s3://{bucket.String("bucket") ?? bucket.Address}/{string.Join(", ", prefixes)}, but the bucket policy of " +
                    $"{bucket.Address} has no Deny to Principal \"*\" conditioned only on aws:PrincipalArn for {string.Join("; ", missing)}: any principal of the account " +
                    "with broad S3 permissions can plant or delete documents the agent will trust. Fix: add to the bucket policy " +
                    "{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":[\"s3:PutObject\",\"s3:DeleteObject\",\"s3:DeleteObjectVersion\"]," +
                    "\"Resource\":\"<bucket arn>/<prefix>*\",\"Condition\":{\"ArnNotEquals\":{\"aws:PrincipalArn\":[<the roles that publish documents>]}}}.");
            }
        }
    }

    /// <summary>What reads <paramref name="target"/>: reader roles' policies allowing a read action on it, event source mappings, pipes.</summary>
    private static IEnumerable<string> Readers(GateStack stack, StackResource target, string arnMarker, string[] reads,
        List<(StackResource Policy, GateStatement Statement)> readerStatements)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (policy, s) in readerStatements)
        {
            if (reads.Any(a => GateQueries.Grants(s, a)) && s.Resources.Any(r => Names(r, target, arnMarker)))
            {
                found.Add(policy.Address);
            }
        }

        foreach (var m in stack.OfType("aws_lambda_event_source_mapping").Where(m => target.IsReferencedBy(m.Body["event_source_arn"])))
        {
            found.Add(m.Address);
        }

        foreach (var p in stack.OfType("aws_pipes_pipe").Where(p => target.IsReferencedBy(p.Body["source"])))
        {
            found.Add(p.Address);
        }

        return found;
    }

    /// <summary>True when the policy resource <paramref name="resource"/> names <paramref name="target"/> or something under it (index, stream, consumer).</summary>
    private static bool Names(string resource, StackResource target, string arnMarker) =>
        target.IsReferencedBy(JsonValue.Create(resource))
        || (target.String("name") is { } name && Regex.IsMatch(resource, "^arn:[^:]+:[^:]+:[^:]*:[^:]*" + Regex.Escape(arnMarker + name) + "(/.*)?$"));

    /// <summary>Why the resource policies of <paramref name="target"/> do not restrict <paramref name="writes"/> to named writers, or null.</summary>
    private static string? ResourcePolicyProblem(GateStack stack, StackResource target, string policyType, string[] writes)
    {
        var policies = stack.OfType(policyType).Where(p => target.IsReferencedBy(p.Body["resource_arn"])).ToList();
        var onTarget = policies.Where(p => !(p.Body["resource_arn"]?.ToString() ?? "").Contains(".stream_arn", StringComparison.Ordinal)).ToList();
        if (onTarget.Count == 0)
        {
            var streamOnly = policies.Count > 0 ? $" ({string.Join(", ", policies.Select(p => p.Address))} is attached to the table's stream, which a table policy does not cover and vice versa)" : "";
            return $"but it has no {policyType} whose resource_arn references it{streamOnly}: any principal of the account allowed " +
                $"{string.Join("/", writes)} by IAM can write records the platform trusts. Fix: add an {policyType} with " +
                $"{{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":[{string.Join(",", writes.Select(w => $"\"{w}\""))}],\"Resource\":<arn>," +
                "\"Condition\":{\"ArnNotEquals\":{\"aws:PrincipalArn\":[<the writer roles>]}}}.";
        }

        var statements = onTarget.SelectMany(p => GateStack.Statements(p.Body["policy"]) ?? []).ToList();
        var missing = writes.Where(w => !statements.Any(s => IsWriterDeny(s, w))).ToList();
        return missing.Count == 0
            ? null
            : $"but {string.Join(", ", onTarget.Select(p => p.Address))} has no Deny to Principal \"*\" conditioned only on aws:PrincipalArn " +
              $"(ArnNotEquals/ArnNotLike/StringNotEquals/StringNotLike) for {string.Join(", ", missing)}: a principal other than the writers can still write. " +
              "Fix: list those actions in the Deny (another condition key would narrow it: conditions are ANDed).";
    }

    private static bool IsWriterDeny(GateStatement s, string action) =>
        !s.IsAllow && GateQueries.AppliesToEveryone(s) && GateQueries.Grants(s, action)
        && GateQueries.OnlyNegatedCondition(s, "aws:PrincipalArn", PrincipalOperators);
}
