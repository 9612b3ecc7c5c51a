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

/// <summary>
/// The writers of one trusted input (a table, a stream): the grantees its write grants named, in the order of the
/// grants, then, once <see cref="Restrict"/> was called, the policy document that denies the writes to anyone else
/// (<see cref="WriteRestriction.DenyAllBut"/>). A write grant after the restriction is an error: it would be denied.
/// </summary>
/// <param name="subject">The input, as errors name it, e.g. <c>DataTable 'fraud-transactions-dev'</c>.</param>
/// <param name="writerNoun">What its writers are called in errors, singular, e.g. <c>writer</c> or <c>producer</c>.</param>
public sealed class TrustedWriters(string subject, string writerNoun)
{
    private readonly List<IGrantee> _grantees = [];

    /// <summary>Every grantee given a write, in the order of the grants (a grantee granted again is listed once).</summary>
    public IReadOnlyList<IGrantee> Grantees => _grantees;

    /// <summary>Whether <see cref="Restrict"/> was called.</summary>
    public bool IsRestricted { get; private set; }

    /// <summary>Throws when the writers are already restricted: a write grant to <paramref name="grantee"/> would be denied.</summary>
    public void EnsureNotRestricted(IGrantee grantee)
    {
        if (IsRestricted)
        {
            throw new InvalidOperationException($"{subject}: write grant to {grantee.GranteeName} after RestrictWritesToGrantees; the restriction would deny it. Fix: make every grant before restricting the {writerNoun}s.");
        }
    }

    /// <summary>Records a write grant to <paramref name="grantee"/> (see <see cref="EnsureNotRestricted"/>).</summary>
    public void Add(IGrantee grantee)
    {
        EnsureNotRestricted(grantee);
        if (!_grantees.Contains(grantee))
        {
            _grantees.Add(grantee); // an identical grant made again adds nothing, here as in the policy
        }
    }

    /// <summary>
    /// The resource policy document denying <paramref name="actions"/> on <paramref name="resourceArn"/> to all but the
    /// grantees' roles (in the order of their grants) and then <paramref name="extraArns"/> (statement id
    /// <paramref name="sid"/>). Call once, after every grant.
    /// </summary>
    public PolicyDocument Restrict(string sid, IReadOnlyList<string> actions, string resourceArn, IReadOnlyList<string> extraArns)
    {
        if (IsRestricted)
        {
            throw new InvalidOperationException($"{subject}: RestrictWritesToGrantees was already called. Fix: pass every extra {writerNoun} in one call.");
        }

        IsRestricted = true;
        string[] writerArns = [.. _grantees.Select(g => g.RoleArn), .. extraArns];
        return new PolicyDocument().Add(WriteRestriction.DenyAllBut(sid, actions, [resourceArn], writerArns));
    }
}
