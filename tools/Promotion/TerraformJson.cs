namespace FraudTf.Promotion;

/// <summary>
/// Loading synthesized Terraform JSON (cdk.tf.json) for the commands; its blocks and resources are read with FraudTf.Stacks
/// (<c>StackDocument</c>).
/// </summary>
public static class TerraformJson
{
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
