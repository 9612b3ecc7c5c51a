using System.Text.RegularExpressions;

// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// Questions several rules ask of a stack: which policy documents it holds, which statements a role is granted,
/// which resource a value designates (by reference or by literal name/ARN), whether a statement applies to everyone.
/// Not a rule.
/// </summary>
internal static class GateQueries
{
    /// <summary>
    /// Every parsed policy document of the stack with the resource and argument holding it (the documents of
    /// <see cref="Gate1Support.PolicyDocuments"/>, the one list of policy-holding arguments).
    /// </summary>
    public static IEnumerable<(StackResource Owner, string Argument, IReadOnlyList<GateStatement> Statements)> Policies(GateStack stack) =>
        Gate1Support.PolicyDocuments(stack)
            .Select(d => (d.Resource, d.Argument, Statements: GateStack.Statements(d.Document)))
            .Where(d => d.Statements is not null)
            .Select(d => (d.Resource, d.Argument, (IReadOnlyList<GateStatement>)d.Statements!));

    /// <summary>
    /// The identity-policy statements granted to <paramref name="role"/>: its <c>aws_iam_role_policy</c> resources and the
    /// <c>aws_iam_policy</c> resources attached to it by <c>aws_iam_role_policy_attachment</c>, each with the resource holding it.
    /// </summary>
    public static IEnumerable<(StackResource Policy, GateStatement Statement)> IdentityStatements(GateStack stack, StackResource role)
    {
        foreach (var rp in stack.OfType("aws_iam_role_policy").Where(p => Designates(p.Body["role"], role, "name", ":role/")))
        {
            foreach (var s in GateStack.Statements(rp.Body["policy"]) ?? [])
            {
                yield return (rp, s);
            }
        }

        foreach (var att in stack.OfType("aws_iam_role_policy_attachment").Where(a => Designates(a.Body["role"], role, "name", ":role/")))
        {
            if (stack.Referenced(att.Body["policy_arn"]) is { Type: "aws_iam_policy" } policy)
            {
                foreach (var s in GateStack.Statements(policy.Body["policy"]) ?? [])
                {
                    yield return (policy, s);
                }
            }
        }
    }

    /// <summary>The roles of the stack that a Lambda function (<c>role</c>) or a pipe (<c>role_arn</c>) runs as.</summary>
    public static IEnumerable<StackResource> ComputeRoles(GateStack stack) =>
        stack.OfType("aws_iam_role").Where(role =>
            stack.OfType("aws_lambda_function").Any(f => Designates(f.Body["role"], role, "name", ":role/"))
            || stack.OfType("aws_pipes_pipe").Any(p => Designates(p.Body["role_arn"], role, "name", ":role/")));

    /// <summary>
    /// True when <paramref name="value"/> designates <paramref name="target"/>: it references it (any attribute), or it is
    /// a literal equal to the target's <paramref name="nameArgument"/>, or a literal ARN holding <c>&lt;arnMarker&gt;&lt;name&gt;</c>
    /// at its end (optionally followed by <c>:qualifier</c>), e.g. <c>:function:</c>, <c>:role/</c>, <c>:stream/</c>.
    /// </summary>
    public static bool Designates(JsonNode? value, StackResource target, string nameArgument, string arnMarker)
    {
        if (target.IsReferencedBy(value))
        {
            return true;
        }

        var name = target.String(nameArgument);
        if (name is null || value is not JsonValue v || !v.TryGetValue<string>(out var literal))
        {
            return false;
        }

        if (literal == name)
        {
            return true;
        }

        var at = literal.LastIndexOf(arnMarker + name, StringComparison.Ordinal);
        if (!literal.StartsWith("arn:", StringComparison.Ordinal) || at < 0)
        {
            return false;
        }

        var rest = literal[(at + arnMarker.Length + name.Length)..];
        return rest.Length == 0 || (rest[0] == ':' && !rest[1..].Contains(':', StringComparison.Ordinal));
    }

    /// <summary>True when the statement's principal is everyone (<c>"*"</c> or <c>{"AWS": "*"}</c>).</summary>
    public static bool AppliesToEveryone(GateStatement s) =>
        s.Principals.Any(p => p.Value == "*" && (p.Kind == "*" || p.Kind == "AWS"));

    /// <summary>True when the statement allows or denies <paramref name="action"/> (through Action, or through a NotAction that omits it).</summary>
    public static bool Grants(GateStatement s, string action) =>
        s.Covers(action) || (s.NotActions.Count > 0 && !s.NotActions.Any(n => GateStack.ActionMatches(n, action)));

    /// <summary>
    /// True when every condition of <paramref name="s"/> is a negated comparison (<paramref name="operators"/>) on
    /// <paramref name="key"/>, so the statement applies to every request except the listed values. Keys are compared
    /// case-insensitively as IAM does. Any other condition key narrows the statement (conditions are ANDed) and makes it false.
    /// </summary>
    public static bool OnlyNegatedCondition(GateStatement s, string key, IReadOnlyCollection<string> operators)
    {
        var keys = s.ConditionKeys().ToList();
        return keys.Count > 0
            && keys.All(k => operators.Contains(k.Operator) && string.Equals(k.Key, key, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// True when the resource pattern <paramref name="pattern"/> covers every key under <paramref name="prefix"/>
    /// (both written with the same bucket token): <c>*</c>, or <c>&lt;something&gt;*</c> where the prefix starts with
    /// <c>&lt;something&gt;</c> and <c>&lt;something&gt;</c> holds no wildcard.
    /// </summary>
    public static bool CoversEveryKeyUnder(string pattern, string prefix)
    {
        if (pattern == "*")
        {
            return true;
        }

        if (!pattern.EndsWith('*'))
        {
            return false;
        }

        var head = pattern[..^1];
        return head.IndexOfAny(['*', '?']) < 0 && prefix.StartsWith(head, StringComparison.Ordinal);
    }

    /// <summary>
    /// A bucket-policy resource written with <c>BUCKET</c> in place of the bucket's ARN (a reference to
    /// <c>${aws_s3_bucket.x.arn}</c> or the literal <c>arn:aws:s3:::name</c>), so resources can be compared as text.
    /// </summary>
    public static string WithBucketToken(string resource, StackResource bucket)
    {
        var replaced = Regex.Replace(resource, @"\$\{" + Regex.Escape(bucket.Address) + @"\.arn\}", "BUCKET");
        var name = bucket.String("bucket");
        if (name is not null)
        {
            replaced = Regex.Replace(replaced, @"^arn:[a-z-]+:s3:::" + Regex.Escape(name) + "(?=/|$)", "BUCKET");
        }

        return replaced;
    }

    /// <summary>The resource of <paramref name="type"/> that <paramref name="value"/> references (any attribute), or null.</summary>
    public static StackResource? ReferencedOfType(GateStack stack, JsonNode? value, string type) =>
        TerraformReference.AddressesIn(value).Select(a => stack.ByAddress.GetValueOrDefault(a)).FirstOrDefault(r => r?.Type == type);

    /// <summary>A statement's name for messages: its Sid, or its position.</summary>
    public static string Label(GateStatement s, int index) => s.Sid is { Length: > 0 } sid ? $"'{sid}'" : $"#{index + 1}";
}
