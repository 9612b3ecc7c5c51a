namespace FraudTf.Functions.KnowledgeBaseSetup;

/// <summary>
/// The invocation input, as the stack passes it to <c>aws_lambda_invocation</c> (lifecycle_scope CRUD adds the
/// <c>tf</c> key): <c>{"collectionEndpoint":"https://&lt;id&gt;.&lt;region&gt;.aoss.amazonaws.com","indexName":"...",
/// "dimensions":1024,"vectorField":"embedding","textField":"text","metadataField":"metadata",
/// "tf":{"action":"create"|"update"|"delete","prev_input":{...}}}</c>.
/// </summary>
public sealed record IndexRequest
{
    /// <summary>Largest vector dimension accepted (the faiss engine's limit in OpenSearch).</summary>
    public const int MaxDimensions = 16000;

    // Alike on purpose: a request record of required init-only properties, the shape of the functions' Settings records.
    /// <summary>The collection's endpoint (https, or http on 127.0.0.1/localhost for tests).</summary>
    public required Uri CollectionEndpoint { get; init; }

    /// <summary>The index to create.</summary>
    public required string IndexName { get; init; }

    /// <summary>Dimension of the embeddings (1024 for Titan Text Embeddings v2).</summary>
    public required int Dimensions { get; init; }

    /// <summary>The knn_vector field.</summary>
    public required string VectorField { get; init; }

    /// <summary>The field holding the chunk text.</summary>
    public required string TextField { get; init; }

    /// <summary>The field holding Bedrock's metadata (stored, not indexed).</summary>
    public required string MetadataField { get; init; }

    /// <summary>tf.action: create, update or delete (create when absent, i.e. a plain invocation).</summary>
    public string Action { get; init; } = "create";

    /// <summary>Reads the action (without validating the rest: a delete must never fail on the input).</summary>
    public static (string Action, string? IndexName) Peek(string json)
    {
        try
        {
            var o = JsonNode.Parse(json) as JsonObject;
            var action = o?["tf"]?["action"] is JsonValue a && a.TryGetValue<string>(out var s) ? s : "create";
            var name = o?["indexName"] is JsonValue n && n.TryGetValue<string>(out var i) ? i
                : o?["tf"]?["prev_input"]?["indexName"] is JsonValue p && p.TryGetValue<string>(out var pi) ? pi : null;
            return (action, name);
        }
        catch (JsonException)
        {
            return ("create", null);
        }
    }

    /// <summary>
    /// The invocation input as a JSON object (this function's inputs all are); not JSON, or not an object, is an
    /// <see cref="ArgumentException"/> saying so, with the position of the syntax error.
    /// </summary>
    public static JsonObject ParseObject(string json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new ArgumentException("the input is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"the input is not valid JSON (line {e.LineNumber}, byte {e.BytePositionInLine})");
        }
    }

    /// <summary>Parses and validates the input; every problem is an <see cref="ArgumentException"/> naming the field and what is allowed.</summary>
    public static IndexRequest Parse(string json)
    {
        var o = ParseObject(json);

        string Str(string field)
        {
            if (o[field] is JsonValue v && v.TryGetValue<string>(out var s))
            {
                return s;
            }

            throw new ArgumentException(o[field] is null ? $"input field {field} is missing" : $"input field {field} must be a string");
        }

        var endpointText = Str("collectionEndpoint");
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint)
            || !(endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.Host is "127.0.0.1" or "localhost"))
            || endpoint.AbsolutePath != "/" || endpoint.Query.Length > 0 || endpoint.UserInfo.Length > 0)
        {
            throw new ArgumentException($"collectionEndpoint must be the collection's https URL without a path, e.g. https://<id>.<region>.aoss.amazonaws.com (got '{endpointText}')");
        }

        var index = Str("indexName");
        var indexProblem = IndexNameProblem(index);
        if (indexProblem is not null)
        {
            throw new ArgumentException($"indexName '{index}' is not a valid OpenSearch index name: {indexProblem}");
        }

        int dimensions;
        if (o["dimensions"] is JsonValue d && d.TryGetValue<int>(out var n))
        {
            dimensions = n;
        }
        else if (o["dimensions"] is JsonValue ds && ds.TryGetValue<string>(out var text) && int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
        {
            dimensions = parsed; // Terraform's jsonencode keeps numbers, but a string "1024" is unambiguous
        }
        else
        {
            throw new ArgumentException(o["dimensions"] is null ? "input field dimensions is missing" : $"dimensions must be a whole number from 1 to {MaxDimensions}");
        }

        if (dimensions is < 1 or > MaxDimensions)
        {
            throw new ArgumentException($"dimensions must be from 1 to {MaxDimensions} (got {dimensions})");
        }

        var fields = new[] { ("vectorField", Str("vectorField")), ("textField", Str("textField")), ("metadataField", Str("metadataField")) };
        foreach (var (name, value) in fields)
        {
            if (string.IsNullOrWhiteSpace(value) || value != value.Trim() || value.StartsWith('_') || value.Contains('.', StringComparison.Ordinal) || value.Length > 255)
            {
                throw new ArgumentException($"{name} '{value}' must be a non-empty field name of at most 255 characters, without surrounding spaces or dots, not starting with _");
            }
        }

        if (fields.Select(f => f.Item2).Distinct(StringComparer.Ordinal).Count() != fields.Length)
        {
            throw new ArgumentException($"vectorField, textField and metadataField must be distinct (got {string.Join(", ", fields.Select(f => $"{f.Item1}={f.Item2}"))})");
        }

        var action = o["tf"]?["action"] is JsonValue a && a.TryGetValue<string>(out var act) ? act : "create";
        if (action is not ("create" or "update" or "delete"))
        {
            throw new ArgumentException($"tf.action must be create, update or delete (got '{action}')");
        }

        return new IndexRequest
        {
            CollectionEndpoint = endpoint,
            IndexName = index,
            Dimensions = dimensions,
            VectorField = fields[0].Item2,
            TextField = fields[1].Item2,
            MetadataField = fields[2].Item2,
            Action = action,
        };
    }

    /// <summary>Why <paramref name="name"/> breaks OpenSearch's index-name rules, or null when it is valid.</summary>
    public static string? IndexNameProblem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (System.Text.Encoding.UTF8.GetByteCount(name) > 255)
        {
            return "it is longer than 255 bytes";
        }

        if (name is "." or "..")
        {
            return "it cannot be . or ..";
        }

        if (name[0] is '_' or '-' or '+')
        {
            return "it cannot start with _, - or +";
        }

        if (name.Any(char.IsUpper))
        {
            return "it must be lowercase";
        }

        if (name.Any(char.IsWhiteSpace))
        {
            return "it cannot contain spaces";
        }

        // Stricter than OpenSearch (which also allows some punctuation): only characters that need no URL encoding,
        // so the signed path is the sent path.
        var bad = name.FirstOrDefault(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_' or '.'));
        return bad != default ? $"it may contain only lowercase letters, digits, -, _ and . (found '{bad}')" : null;
    }

    /// <summary>The index body: k-NN on, the vector field as a faiss/HNSW knn_vector (the engine Bedrock requires on
    /// OpenSearch Serverless), the text field as text, and the metadata field stored but not indexed.</summary>
    public JsonObject IndexBody() => new()
    {
        ["settings"] = new JsonObject { ["index.knn"] = true },
        ["mappings"] = new JsonObject
        {
            ["properties"] = new JsonObject
            {
                [VectorField] = new JsonObject
                {
                    ["type"] = "knn_vector",
                    ["dimension"] = Dimensions,
                    ["method"] = new JsonObject
                    {
                        ["name"] = "hnsw",
                        ["engine"] = "faiss",
                        ["space_type"] = "l2",
                    },
                },
                [TextField] = new JsonObject { ["type"] = "text" },
                [MetadataField] = new JsonObject { ["type"] = "text", ["index"] = false },
            },
        },
    };
}
