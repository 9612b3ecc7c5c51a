using FraudTf.Stacks;

namespace FraudTf.Local.Stack;

/// <summary>
/// One synthesized stack (<c>cdktf.out/stacks/&lt;stack&gt;/cdk.tf.json</c>) as the local runners read it: its resources
/// (read with FraudTf.Stacks' <see cref="StackDocument"/>), and the values Terraform would give their references once
/// applied here. Every runner takes its settings from this (never from a copy), so what runs locally is what would be
/// deployed.
/// <para>
/// References (<c>${aws_sqs_queue.dlq_this_C3757C70.url}</c>) resolve to the local world: names from the resource's own
/// arguments, ARNs built the way AWS builds them (account and region of the stack's provider block), and the values only
/// a running engine knows (a queue's URL, a table's stream ARN) from <see cref="SetAttribute"/>. A reference the local
/// world cannot answer throws, naming it.
/// </para>
/// </summary>
public sealed class LocalStack
{
    private readonly Dictionary<(string Type, string Name, string Attribute), string> _attributes = [];
    private readonly StackDocument _document;

    private LocalStack(string path, JsonObject json)
    {
        Path = path;
        _document = new StackDocument(json, path);
        var provider = json["provider"]?["aws"]?.AsArray().FirstOrDefault()?.AsObject();
        Region = provider?["region"]?.GetValue<string>() ?? "us-east-1";
        Account = provider?["allowed_account_ids"]?.AsArray().FirstOrDefault()?.GetValue<string>() ?? "111111111111";
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>The whole stack.</summary>
    public JsonObject Json => _document.Json;

    /// <summary>The region of the stack's AWS provider.</summary>
    public string Region { get; }

    /// <summary>The account the provider is allowed to use (ARNs are built with it).</summary>
    public string Account { get; }

    /// <summary>Reads <c>&lt;outDir&gt;/stacks/fraud-detection-&lt;env&gt;/cdk.tf.json</c>.</summary>
    public static LocalStack Load(string outDir, string environment)
    {
        var path = System.IO.Path.Combine(outDir, "stacks", $"fraud-detection-{environment}", "cdk.tf.json");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist: environment '{environment}' is not synthesized. Fix: run 'make synth' (make local does), and check ENV names a file of environments/.");
        }

        return FromJson(path, JsonNode.Parse(File.ReadAllText(path))!.AsObject());
    }

    /// <summary>A stack from parsed JSON (tests).</summary>
    public static LocalStack FromJson(string path, JsonObject json) => new(path, json);

    /// <summary>Every resource of <paramref name="type"/>, by its name in the stack, sorted by name (cdktf's order).</summary>
    public IReadOnlyList<(string Name, JsonObject Body)> Resources(string type) =>
        _document.OfType(type).Select(r => (r.Name, r.Body)).ToList();

    /// <summary>The resource <c>&lt;type&gt;.&lt;name&gt;</c>.</summary>
    public JsonObject Resource(string type, string name) =>
        _document.ByAddress.GetValueOrDefault($"{type}.{name}")?.Body ?? throw new KeyNotFoundException($"{Path} has no resource {type}.{name}");

    /// <summary>The construct path of a resource (its <c>//.metadata.path</c>), for messages.</summary>
    public static string ConstructPath(JsonObject body) => StackResource.ConstructPathOf(body) ?? "?";

    /// <summary>Sets what a reference to <c>&lt;type&gt;.&lt;name&gt;.&lt;attribute&gt;</c> resolves to (a value only a running engine knows).</summary>
    public void SetAttribute(string type, string name, string attribute, string value) => _attributes[(type, name, attribute)] = value;

    /// <summary>Replaces every <c>${type.name.attribute}</c> in <paramref name="value"/> by its local value.</summary>
    public string Resolve(string value)
    {
        var output = new StringBuilder();
        var i = 0;
        while (i < value.Length)
        {
            var start = value.IndexOf("${", i, StringComparison.Ordinal);
            if (start < 0)
            {
                output.Append(value, i, value.Length - i);
                break;
            }

            var end = value.IndexOf('}', start);
            if (end < 0)
            {
                throw new FormatException($"unclosed reference in '{value}'");
            }

            output.Append(value, i, start - i);
            var parts = value[(start + 2)..end].Split('.');
            if (parts.Length != 3)
            {
                throw new NotSupportedException($"'{value[start..(end + 1)]}' is not a resource attribute reference; the local run resolves only those");
            }

            output.Append(Attribute(parts[0], parts[1], parts[2]));
            i = end + 1;
        }

        return output.ToString();
    }

    /// <summary>The local value of <c>&lt;type&gt;.&lt;name&gt;.&lt;attribute&gt;</c>.</summary>
    public string Attribute(string type, string name, string attribute)
    {
        if (_attributes.TryGetValue((type, name, attribute), out var set))
        {
            return set;
        }

        var body = Resource(type, name);
        string Arg(string arg) => body[arg]?.GetValue<string>() is { } s ? Resolve(s)
            : throw new InvalidOperationException($"{type}.{name} has no '{arg}' argument to resolve .{attribute} from");
        var value = (type, attribute) switch
        {
            ("aws_dynamodb_table", "name" or "id") => Arg("name"),
            ("aws_dynamodb_table", "arn") => $"arn:aws:dynamodb:{Region}:{Account}:table/{Arg("name")}",
            ("aws_kinesis_stream", "name") => Arg("name"),
            ("aws_kinesis_stream", "arn" or "id") => $"arn:aws:kinesis:{Region}:{Account}:stream/{Arg("name")}",
            ("aws_sqs_queue", "name") => Arg("name"),
            ("aws_sqs_queue", "arn") => $"arn:aws:sqs:{Region}:{Account}:{Arg("name")}",
            ("aws_s3_bucket", "bucket" or "id") => Arg("bucket"),
            ("aws_s3_bucket", "arn") => $"arn:aws:s3:::{Arg("bucket")}",
            ("aws_lambda_function", "function_name" or "id") => Arg("function_name"),
            ("aws_lambda_function", "arn" or "qualified_arn") => $"arn:aws:lambda:{Region}:{Account}:function:{Arg("function_name")}",
            ("aws_cloudwatch_log_group", "name" or "id") => Arg("name"),
            ("aws_cloudwatch_log_group", "arn") => $"arn:aws:logs:{Region}:{Account}:log-group:{Arg("name")}",
            ("aws_cloudwatch_event_bus", "name" or "id") => Arg("name"),
            ("aws_cloudwatch_event_bus", "arn") => $"arn:aws:events:{Region}:{Account}:event-bus/{Arg("name")}",
            ("aws_cloudwatch_event_rule", "name") => Arg("name"),
            ("aws_cloudwatch_event_rule", "arn") => $"arn:aws:events:{Region}:{Account}:rule/{Resolve(body["event_bus_name"]?.GetValue<string>() ?? "default")}/{Arg("name")}",
            ("aws_sns_topic", "name") => Arg("name"),
            ("aws_sns_topic", "arn" or "id") => $"arn:aws:sns:{Region}:{Account}:{Arg("name")}",
            ("aws_iam_role", "name" or "id") => Arg("name"),
            ("aws_iam_role", "arn") => $"arn:aws:iam::{Account}:role/{Arg("name")}",
            ("aws_kms_key", "arn") => $"arn:aws:kms:{Region}:{Account}:key/local-{name}",
            ("aws_pipes_pipe", "name" or "id") => Arg("name"),
            _ => throw new NotSupportedException(
                $"the local run cannot resolve ${{{type}.{name}.{attribute}}} ({ConstructPath(body)}): no local value is known for that attribute. Fix: teach LocalStack.Attribute, or set it with SetAttribute when an engine creates the resource."),
        };
        return value;
    }

    /// <summary>The name of the stack's table whose name contains <paramref name="logical"/> (e.g. user-profiles).</summary>
    public string TableName(string logical) => Named("aws_dynamodb_table", "name", logical);

    /// <summary>The name of the stack's bucket whose name contains <paramref name="logical"/> (e.g. decision-trails).</summary>
    public string BucketName(string logical) => Named("aws_s3_bucket", "bucket", logical);

    private string Named(string type, string argument, string logical) =>
        Resources(type).Select(r => Resolve(r.Body[argument]!.GetValue<string>())).Single(n => n.Contains(logical, StringComparison.Ordinal));

    /// <summary>A whole-number argument of a resource, or <paramref name="fallback"/> when absent.</summary>
    public static int Int(JsonObject body, string path, int fallback)
    {
        JsonNode? node = body;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node is null ? fallback : node.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? int.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture)
            : node.GetValue<int>();
    }
}
