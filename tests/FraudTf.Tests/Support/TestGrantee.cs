using FraudTf.Security;

namespace FraudTf.Tests.Support;

/// <summary>A grantee for construct tests: a policy document without a role construct (its ARN is a placeholder).</summary>
/// <param name="Policy">The policy grants add to.</param>
public sealed record TestGrantee(PolicyDocument Policy) : IGrantee
{
    /// <inheritdoc />
    public string GranteeName => "test-role";

    /// <inheritdoc />
    public string RoleArn => "arn:aws:iam::111111111111:role/test-role";
}
