namespace FraudTf.Security;

/// <summary>
/// The resource-policy statement that keeps a trusted input writable only by its writers: a Deny of the write
/// actions to every principal whose <c>aws:PrincipalArn</c> is not one of the writers (an explicit
/// Deny in a resource policy wins over any IAM Allow). No writers: the Deny applies to every principal.
/// </summary>
public static class WriteRestriction
{
    /// <summary>The Deny of <paramref name="actions"/> on <paramref name="resources"/> to all but <paramref name="writerArns"/> (statement id <paramref name="sid"/>).</summary>
    public static PolicyStatement DenyAllBut(string sid, IReadOnlyList<string> actions, IReadOnlyList<string> resources, IReadOnlyList<string> writerArns) => new()
    {
        Sid = sid,
        Effect = "Deny",
        Principal = PolicyPrincipal.Everyone,
        Actions = actions,
        Resources = resources,
        Conditions = writerArns.Count == 0 ? [] : [new PolicyCondition("ArnNotEquals", "aws:PrincipalArn", writerArns)],
    };
}
