using System.Text;

namespace FraudTf.Security;

/// <summary>A principal of a resource-based policy statement (key policy, bucket policy, queue policy, ...).</summary>
public sealed record PolicyPrincipal(string Type, IReadOnlyList<string> Identifiers)
{
    /// <summary>An AWS principal (account root or role ARN).</summary>
    public static PolicyPrincipal Aws(params string[] arns) => new("AWS", arns);

    /// <summary>A service principal such as <c>logs.us-east-1.amazonaws.com</c>.</summary>
    public static PolicyPrincipal Service(params string[] services) => new("Service", services);

    /// <summary>Every principal: only ever used together with a Deny effect (e.g. the TLS-only bucket policy).</summary>
    public static PolicyPrincipal Everyone { get; } = new("*", ["*"]);
}

/// <summary>One condition of a policy statement, e.g. <c>StringEquals aws:SourceAccount 123456789012</c>.</summary>
public sealed record PolicyCondition(string Operator, string Key, IReadOnlyList<string> Values);

/// <summary>Statement ids of grants: PascalCase of the granting construct's name, its kind, and the intent.</summary>
public static class StatementIds
{
    /// <summary>E.g. <c>("decision-trails", "Bucket", "Put")</c> gives <c>DecisionTrailsBucketPut</c>.</summary>
    public static string For(string name, string kind, string what) =>
        string.Concat(name.Split('-').Select(p => char.ToUpperInvariant(p[0]) + p[1..])) + kind + what;
}

/// <summary>One IAM policy statement. Actions are always listed explicitly: no <c>*</c>.</summary>
public sealed record PolicyStatement
{
    /// <summary>Statement id; optional, but every statement FraudTf writes has one so a reviewer can tell them apart.</summary>
    public string? Sid { get; init; }

    /// <summary>Allow (default) or Deny.</summary>
    public string Effect { get; init; } = "Allow";

    /// <summary>Principal, for resource-based policies; null in identity policies.</summary>
    public PolicyPrincipal? Principal { get; init; }

    /// <summary>The actions, e.g. <c>dynamodb:GetItem</c>.</summary>
    public required IReadOnlyList<string> Actions { get; init; }

    /// <summary>The resource ARNs (tokens allowed). In a key policy, <c>*</c> means "this key". Empty in a trust policy (no Resource element).</summary>
    public required IReadOnlyList<string> Resources { get; init; }

    /// <summary>Conditions, all of which must hold.</summary>
    public IReadOnlyList<PolicyCondition> Conditions { get; init; } = [];
}

/// <summary>
/// An IAM policy document rendered to a deterministic JSON string (statement and key order fixed), so it is
/// readable in a plan, identical on every synth, and can be parsed back by tests and the security policy.
/// Resource ARNs may contain CDKTF tokens; they resolve to Terraform interpolations in the synthesized JSON.
/// </summary>
public sealed class PolicyDocument
{
    private readonly List<PolicyStatement> _statements = new();

    /// <summary>Creates a document with the given statements.</summary>
    public PolicyDocument(IEnumerable<PolicyStatement>? statements = null)
    {
        if (statements is not null)
        {
            _statements.AddRange(statements);
        }
    }

    /// <summary>The statements, in the order they were added.</summary>
    public IReadOnlyList<PolicyStatement> Statements => _statements;

    /// <summary>
    /// Adds a statement. Grants are idempotent: a statement whose Sid is already present with the same effect and
    /// actions is the same grant made twice and is skipped; a different statement under a used Sid is an error
    /// (IAM requires unique Sids).
    /// </summary>
    public PolicyDocument Add(PolicyStatement statement)
    {
        var existing = statement.Sid is null ? null : _statements.FirstOrDefault(s => s.Sid == statement.Sid);
        if (existing is not null)
        {
            if (existing.Effect == statement.Effect && existing.Actions.SequenceEqual(statement.Actions) &&
                existing.Resources.Count == statement.Resources.Count && existing.Conditions.Count == statement.Conditions.Count)
            {
                return this;
            }

            throw new InvalidOperationException(
                $"Policy statement id '{statement.Sid}' is used twice for different statements. Fix: give the second grant its own Sid.");
        }

        _statements.Add(statement);
        return this;
    }

    /// <summary>
    /// A token that renders the document at synth time, so statements added after the resource that uses it was
    /// created (grants wired later in the stack) still land in the policy.
    /// </summary>
    public string ToLazyJson() => Lazy.StringValue(new Producer(this), null);

    private sealed class Producer : Amazon.JSII.Runtime.Deputy.DeputyBase, IStringProducer
    {
        private readonly PolicyDocument _document;

        public Producer(PolicyDocument document) => _document = document;

        public string? Produce(IResolveContext context) => _document.ToJson();
    }

    /// <summary>Renders the document as compact JSON.</summary>
    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("Version", "2012-10-17");
            w.WriteStartArray("Statement");
            foreach (var s in _statements)
            {
                w.WriteStartObject();
                if (s.Sid is not null)
                {
                    w.WriteString("Sid", s.Sid);
                }

                w.WriteString("Effect", s.Effect);
                if (s.Principal is not null)
                {
                    if (s.Principal.Type == "*")
                    {
                        w.WriteString("Principal", "*");
                    }
                    else
                    {
                        w.WriteStartObject("Principal");
                        WriteOneOrMany(w, s.Principal.Type, s.Principal.Identifiers);
                        w.WriteEndObject();
                    }
                }

                WriteOneOrMany(w, "Action", s.Actions);
                if (s.Resources.Count > 0)
                {
                    WriteOneOrMany(w, "Resource", s.Resources);
                }
                if (s.Conditions.Count > 0)
                {
                    w.WriteStartObject("Condition");
                    foreach (var op in s.Conditions.GroupBy(c => c.Operator))
                    {
                        w.WriteStartObject(op.Key);
                        foreach (var c in op)
                        {
                            WriteOneOrMany(w, c.Key, c.Values);
                        }

                        w.WriteEndObject();
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteOneOrMany(Utf8JsonWriter w, string name, IReadOnlyList<string> values)
    {
        if (values.Count == 1)
        {
            w.WriteString(name, values[0]);
            return;
        }

        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }
}
