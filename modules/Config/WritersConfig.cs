using System.Text.RegularExpressions;

namespace FraudTf.Config;

/// <summary>
/// Who may write the inputs the platform trusts, beyond the stack's own roles (<c>writers</c> in the environment file).
/// Each list is enforced by a resource policy that denies writes to every other principal, whatever its IAM policy.
/// </summary>
public sealed record WritersConfig
{
    /// <summary>Principals that put transactions into the transactions stream (the producers). At least one.</summary>
    public required IReadOnlyList<string> Transactions { get; init; }

    /// <summary>Principals that maintain the fraud-patterns table (analysts' tooling). Empty: nobody may change patterns.</summary>
    public required IReadOnlyList<string> Patterns { get; init; }

    /// <summary>
    /// Principals that write the knowledge base's documents under <c>knowledge-base/</c> of the models bucket: the
    /// principal that runs <c>terraform apply</c> (Terraform uploads the documents). At least one.
    /// </summary>
    public required IReadOnlyList<string> KnowledgeBase { get; init; }
}

/// <summary>Reading of the <c>writers</c> block.</summary>
public static partial class EnvironmentConfigLoader
{
    [GeneratedRegex(@"^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}$")]
    private static partial Regex PrincipalArn();

    private static WritersConfig ReadWriters(ConfigReader root, string accountId)
    {
        var w = root.RequiredObject("writers",
            "add \"writers\": {\"transactions\": [producer role ARNs], \"patterns\": [analyst tooling role ARNs], \"knowledgeBase\": [the deploying role's ARN]}");
        const string expectation = "an IAM role or user ARN such as arn:aws:iam::111111111111:role/payments-producer (no wildcards)";
        IReadOnlyList<string> List(string field, bool required, string fix)
        {
            var list = required ? w.RequiredStringList(field, PrincipalArn(), expectation, fix) : w.OptionalStringList(field, PrincipalArn(), expectation, fix) ?? [];
            foreach (var (arn, i) in list.Select((a, i) => (a, i)))
            {
                // (When accountId itself is invalid, that error is enough.)
                if (accountId.Length == 12 && arn.Split(':')[4] != accountId)
                {
                    w.ErrorValue($"{field}[{i}]", arn, $"is not in the environment's account {accountId}",
                        "name a principal of this account (a cross-account writer would also need an Allow in the resource policy, which the platform does not create)");
                }
            }

            if (list.Distinct(StringComparer.Ordinal).Count() != list.Count)
            {
                w.ErrorValue(field, "[" + string.Join(", ", list) + "]", "lists a principal twice", "list each principal once");
            }

            return list;
        }

        var writers = new WritersConfig
        {
            Transactions = List("transactions", true, "list the roles that put transactions into the stream; any other principal is denied PutRecord(s)"),
            Patterns = List("patterns", false, "list the roles that may change fraud patterns, or [] for nobody"),
            KnowledgeBase = List("knowledgeBase", true,
                "list the role that runs terraform apply for this environment (it uploads the knowledge-base documents); any other principal is denied writes under knowledge-base/"),
        };
        w.RejectUnknownFields();
        return writers;
    }
}
