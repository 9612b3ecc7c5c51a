using System.Text.Json.Nodes;

namespace FraudTf.Promotion;

/// <summary>Reading synthesized Terraform JSON (cdk.tf.json) by Terraform address.</summary>
public static class TerraformJson
{
    /// <summary>
    /// Every addressable block of a stack with its Terraform address: <c>type.name</c> for resources,
    /// <c>data.type.name</c>, <c>provider.aws</c>, <c>output.x</c>, <c>local.x</c>, <c>var.x</c>, <c>terraform</c>;
    /// in document order. The top-level cdktf metadata (<c>//</c>) is not a block.
    /// </summary>
    public static IEnumerable<(string Address, JsonNode? Node)> Blocks(JsonObject stack)
    {
        foreach (var (section, value) in stack)
        {
            switch (section)
            {
                case "//":
                    break;
                case "resource" or "data" when value is JsonObject byType:
                    foreach (var (type, byName) in byType)
                    {
                        if (byName is not JsonObject instances)
                        {
                            continue;
                        }

                        foreach (var (name, body) in instances)
                        {
                            yield return (section == "data" ? $"data.{type}.{name}" : $"{type}.{name}", body);
                        }
                    }

                    break;
                case "terraform":
                    yield return ("terraform", value);
                    break;
                case "provider" or "output" or "locals" or "variable" or "module" when value is JsonObject named:
                    var prefix = section switch { "locals" => "local", "variable" => "var", _ => section };
                    foreach (var (name, body) in named)
                    {
                        yield return ($"{prefix}.{name}", body);
                    }

                    break;
                default:
                    yield return (section, value);
                    break;
            }
        }
    }

    /// <summary>Parses a cdk.tf.json file; the message names the file when it is missing or not JSON.</summary>
    public static JsonObject Load(string file, string display)
    {
        if (!File.Exists(file))
        {
            throw new UserError($"{display} does not exist. Fix: run 'make synth' first.");
        }

        try
        {
            return JsonNode.Parse(File.ReadAllText(file))?.AsObject() ?? throw new UserError($"{display} is empty. Fix: run 'make synth' again.");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new UserError($"{display} is not valid JSON ({e.Message}). Fix: run 'make synth' again.");
        }
    }
}

/// <summary>An error the operator can fix; the tool prints its message and exits 2 (no stack trace).</summary>
public sealed class UserError(string message) : Exception(message);
