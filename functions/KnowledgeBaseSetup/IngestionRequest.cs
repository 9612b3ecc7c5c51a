namespace FraudTf.Functions.KnowledgeBaseSetup;

/// <summary>
/// The input of the knowledge-base sync step (a second <c>aws_lambda_invocation</c>, lifecycle_scope CRUD):
/// <c>{"operation":"start-ingestion","knowledgeBaseId":"ABCDEFGHIJ","dataSourceId":"KLMNOPQRST",
/// "documentsSha256":"&lt;64 hex digits&gt;","tf":{...}}</c>. The documents' hash changes whenever a document does, which
/// makes Terraform invoke the function again; it is also the ingestion job's client token, so a retried call with the
/// same documents starts no second job.
/// </summary>
public sealed record IngestionRequest
{
    /// <summary>The value of <c>operation</c> that selects this request.</summary>
    public const string Operation = "start-ingestion";

    /// <summary>The knowledge base (10 letters or digits).</summary>
    public required string KnowledgeBaseId { get; init; }

    /// <summary>Its data source (10 letters or digits).</summary>
    public required string DataSourceId { get; init; }

    /// <summary>SHA-256 (hex) of the documents' hashes: the client token of the ingestion job.</summary>
    public required string DocumentsSha256 { get; init; }

    /// <summary>The operation named by the input: <see cref="Operation"/>, or <c>create-index</c> when absent.</summary>
    public static string OperationOf(string json)
    {
        try
        {
            return (JsonNode.Parse(json) as JsonObject)?["operation"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : "create-index";
        }
        catch (JsonException)
        {
            return "create-index";
        }
    }

    /// <summary>Parses and validates the input; every problem is an <see cref="ArgumentException"/> naming the field.</summary>
    public static IngestionRequest Parse(string json)
    {
        var o = IndexRequest.ParseObject(json);

        string Field(string name, Func<string, bool> valid, string expectation)
        {
            var value = o[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : throw new ArgumentException(o[name] is null ? $"input field {name} is missing" : $"input field {name} must be a string");
            return valid(value) ? value : throw new ArgumentException($"input field {name} = '{value}' must be {expectation}");
        }

        static bool Id(string s) => s.Length == 10 && s.All(char.IsAsciiLetterOrDigit);
        foreach (var (name, _) in o)
        {
            if (name is not ("operation" or "knowledgeBaseId" or "dataSourceId" or "documentsSha256" or "tf"))
            {
                throw new ArgumentException($"input field {name} is unknown (expected operation, knowledgeBaseId, dataSourceId, documentsSha256)");
            }
        }

        return new IngestionRequest
        {
            KnowledgeBaseId = Field("knowledgeBaseId", Id, "the knowledge base's 10-character id"),
            DataSourceId = Field("dataSourceId", Id, "the data source's 10-character id"),
            DocumentsSha256 = Field("documentsSha256", s => s.Length == 64 && s.All(char.IsAsciiHexDigitLower), "64 lower-case hex digits"),
        };
    }
}
