namespace FraudTf.Security;

/// <summary>
/// Who a resource grants access to: a role with its inline policy, as an IAM principal. A Lambda function is one (through
/// its execution role), so code grants to the function, never to a policy document it reaches into.
/// </summary>
public interface IGrantee
{
    /// <summary>A name for messages (the role's name).</summary>
    string GranteeName { get; }

    /// <summary>The inline policy the grant adds its statements to.</summary>
    PolicyDocument Policy { get; }

    /// <summary>The role's ARN, as resource policies name it.</summary>
    string RoleArn { get; }
}

/// <summary>
/// What a <c>Grant*</c> method of a resource gave a grantee: the statements it added to the grantee's policy (the resource's
/// own actions and the key statement that follows from them), as aws-cdk's <c>grant*</c> methods return a Grant. An
/// identical grant made again adds nothing (<see cref="PolicyDocument.Add"/> is idempotent) and returns no statement.
/// </summary>
/// <param name="Resource">The resource granted (its name, possibly a Terraform token).</param>
/// <param name="Grantee">Who received it.</param>
/// <param name="Statements">The statements added.</param>
public sealed record Grant(string Resource, IGrantee Grantee, IReadOnlyList<PolicyStatement> Statements)
{
    /// <summary>Every action the grant added, in order.</summary>
    public IReadOnlyList<string> Actions => Statements.SelectMany(s => s.Actions).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The grant of the statements <paramref name="grantee"/>'s policy gained since it held <paramref name="before"/> statements.</summary>
    public static Grant Since(string resource, IGrantee grantee, int before) =>
        new(resource, grantee, grantee.Policy.Statements.Skip(before).ToList());
}
