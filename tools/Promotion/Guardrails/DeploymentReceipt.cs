using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace FraudTf.Promotion.Guardrails;

/// <summary>
/// What an environment received in its last successful deploy: the digest of its synthesized stack (canonical JSON,
/// cdktf metadata removed), the source_code_hash of every Lambda function, the git commit, and the override reason
/// when a guard was forced. Kept in git as <c>deployments/&lt;env&gt;.json</c>, committed after the deploy, so a
/// reviewer sees every promotion in the history and the prod deploy can check it offline.
/// </summary>
public sealed record DeploymentReceipt
{
    /// <summary>The environment deployed.</summary>
    public required string Environment { get; init; }

    /// <summary>SHA-256 (hex) of the canonical stack JSON.</summary>
    public required string StackDigest { get; init; }

    /// <summary>source_code_hash by aws_lambda_function address.</summary>
    public required SortedDictionary<string, string> Artifacts { get; init; }

    /// <summary>The git commit deployed.</summary>
    public required string Commit { get; init; }

    /// <summary>FORCE_REASON or ALLOW_DESTROY given for this deploy, if any.</summary>
    public string? OverrideReason { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // "+" in hashes stays readable
    };

    /// <summary>Where the receipt of <paramref name="environment"/> lives, relative to the repository root.</summary>
    public static string PathFor(string environment) => $"deployments/{environment}.json";

    /// <summary>The receipt of a stack about to be (or just) deployed.</summary>
    public static DeploymentReceipt For(string environment, JsonObject stack, string commit, string? overrideReason = null)
    {
        var artifacts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (address, node) in StackDocument.Blocks(stack))
        {
            if (address.StartsWith("aws_lambda_function.", StringComparison.Ordinal) && node?["source_code_hash"] is JsonValue h)
            {
                artifacts[address] = h.GetValue<string>();
            }
        }

        return new DeploymentReceipt { Environment = environment, StackDigest = Digest(stack), Artifacts = artifacts, Commit = commit, OverrideReason = overrideReason };
    }

    /// <summary>SHA-256 of the stack's canonical JSON: object keys sorted, cdktf metadata (<c>//</c>) removed.</summary>
    public static string Digest(JsonObject stack) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Canonical(stack)!.ToJsonString())));

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Where(kv => kv.Key != "//").OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => KeyValuePair.Create(kv.Key, Canonical(kv.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    /// <summary>The receipt as written to disk (indented JSON, deterministic).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json) + "\n";

    /// <summary>Reads a receipt; null when the file does not exist; a clear error when it is malformed.</summary>
    public static DeploymentReceipt? Load(string file, string display)
    {
        if (!File.Exists(file))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<DeploymentReceipt>(File.ReadAllText(file), Json)
                   ?? throw new UserError($"{display} is empty. Fix: restore it from git.");
        }
        catch (JsonException e)
        {
            throw new UserError($"{display} is not a deployment receipt ({e.Message}). Fix: restore it from git.");
        }
    }
}
