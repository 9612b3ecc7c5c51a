using System.Globalization;
using Amazon.JSII.Runtime.Deputy;
using Constructs;

namespace FraudTf.Security.Policy;

/// <summary>
/// Runs <see cref="SecurityPolicy"/> over each stack it visits, at synth: it adds one validation per stack that
/// checks the stack's resolved Terraform JSON, so any violation fails synth (CDKTF throws "Validation failed with
/// the following errors", one line per violation). Apply with <see cref="Apply"/>.
/// </summary>
public sealed class SecurityPolicyAspect : DeputyBase, IAspect
{
    private readonly HashSet<string> _validatedStacks = new(StringComparer.Ordinal);

    /// <summary>Adds the aspect to <paramref name="stack"/> (once: a second call is a no-op).</summary>
    public static void Apply(TerraformStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var aspects = Aspects.Of(stack);
        if (aspects.All.OfType<SecurityPolicyAspect>().Any())
        {
            return;
        }

        aspects.Add(new SecurityPolicyAspect());
    }

    /// <summary>On a stack, adds (once) the validation that checks the stack's resources; other nodes are ignored.</summary>
    public void Visit(IConstruct node)
    {
        if (node is TerraformStack stack && _validatedStacks.Add(stack.Node.Path))
        {
            stack.Node.AddValidation(new StackValidation(stack));
        }
    }

    /// <summary>The resolved Terraform JSON of <paramref name="stack"/> (what its <c>cdk.tf.json</c> will hold).</summary>
    public static JsonObject StackJson(TerraformStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);

        // jsii hands the JavaScript object of toTerraform() to .NET as a Dictionary<string, object> whose values are
        // nested dictionaries, object[] arrays, strings, booleans and doubles (every JavaScript number is a double).
        return ToJsonNode(stack.ToTerraform()) as JsonObject
            ?? throw new InvalidOperationException($"Stack {stack.Node.Path} synthesized no Terraform JSON object.");
    }

    /// <summary>Converts a value jsii returned for a JSON-typed result into a <see cref="JsonNode"/>.</summary>
    internal static JsonNode? ToJsonNode(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        Newtonsoft.Json.Linq.JToken token => JsonNode.Parse(token.ToString(Newtonsoft.Json.Formatting.None)),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        // Integral numbers are written as integers, as in cdk.tf.json (7, not 7.0).
        double d when Math.Abs(d) < 9e15 && d == Math.Floor(d) => JsonValue.Create((long)d),
        double d => JsonValue.Create(d),
        int or long or short or byte or uint or ulong or ushort or sbyte => JsonValue.Create(Convert.ToInt64(value, CultureInfo.InvariantCulture)),
        float or decimal => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
        IDictionary<string, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, ToJsonNode(p.Value)))),
        System.Collections.IDictionary map => new JsonObject(map.Keys.Cast<object>()
            .Select(k => KeyValuePair.Create(Convert.ToString(k, CultureInfo.InvariantCulture)!, ToJsonNode(map[k])))),
        System.Collections.IEnumerable list => new JsonArray(list.Cast<object?>().Select(ToJsonNode).ToArray()),
        _ => throw new InvalidOperationException($"Unexpected {value.GetType().FullName} in the Terraform JSON of a stack."),
    };

    /// <summary>The validation of one stack: the messages of its violations.</summary>
    private sealed class StackValidation : DeputyBase, IValidation
    {
        private readonly TerraformStack _stack;

        public StackValidation(TerraformStack stack) => _stack = stack;

        public string[] Validate() => SecurityPolicy.Check(StackJson(_stack)).Select(v => v.Message).ToArray();
    }
}
