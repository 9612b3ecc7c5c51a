using static FraudTf.Security.Policy.PolicyJson;

namespace FraudTf.Security.Policy.Rules;

/// <summary>The check of encryption with a customer-managed KMS key (Kinesis, SQS, SNS) and of AWS-managed key aliases (S3 too).</summary>
internal static class EncryptionChecks
{
    /// <summary>
    /// The problems of <paramref name="attribute"/> as a customer-managed key (unset, or the AWS-managed
    /// <paramref name="awsManagedAlias"/>), after <paramref name="otherProblem"/> when there is one.
    /// </summary>
    internal static IEnumerable<string> CustomerManagedKey(StackResource r, string attribute, string awsManagedAlias, string? otherProblem)
    {
        if (otherProblem is not null)
        {
            yield return otherProblem;
        }

        var key = Str(r.Body[attribute]);
        if (!IsSet(key))
        {
            yield return $"{attribute} is not set";
        }
        else if (IsAwsManagedAlias(key!, awsManagedAlias))
        {
            yield return $"{attribute} is the AWS-managed key {Quote(key)}, not a customer-managed key";
        }
    }

    /// <summary>True when <paramref name="key"/> is the AWS-managed key <paramref name="alias"/> (by alias name or alias ARN).</summary>
    internal static bool IsAwsManagedAlias(string key, string alias) =>
        key.Equals(alias, StringComparison.OrdinalIgnoreCase) || key.EndsWith(":" + alias, StringComparison.OrdinalIgnoreCase);
}
