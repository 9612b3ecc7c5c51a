using System.Text.Json;

namespace FraudTf.Platform;

/// <summary>
/// Everything <see cref="StateBootstrapStack"/> is built from, and nothing else: the stack takes this, not the whole
/// environment config, so <see cref="SynthCache"/> can key the bootstrap stack on exactly what it reads
/// (<see cref="ToCanonicalJson"/>). A change to an environment file that leaves these values as they are (an alarm
/// threshold, a function's memory) synthesizes that environment's platform stack only; a field the stack needs later is
/// added here, which changes the key.
/// </summary>
/// <param name="Target">Names, account, region and partition.</param>
/// <param name="State">The state bucket, lock table, key alias.</param>
/// <param name="AllowedAccountIds">The provider's <c>allowed_account_ids</c>, in order.</param>
/// <param name="DefaultTags">The provider's <c>default_tags</c>.</param>
public sealed record StateBootstrapInputs(DeploymentTarget Target, StateConfig State, IReadOnlyList<string> AllowedAccountIds, IReadOnlyDictionary<string, string> DefaultTags)
{
    /// <summary>The inputs of <paramref name="config"/>'s bootstrap stack.</summary>
    public static StateBootstrapInputs From(EnvironmentConfig config) =>
        new(config.Target, config.State, config.AllowedAccountIds, config.DefaultTags);

    /// <summary>The stack's name: <c>&lt;prefix&gt;-bootstrap-&lt;env&gt;</c>.</summary>
    public string StackName => Target.ResourceName("bootstrap");

    /// <summary>
    /// Every value above as JSON: the two records whole (every property, in declaration order, so a property added to
    /// them is in the key without a change here), the accounts in order, the tags sorted. Equal inputs, equal text.
    /// </summary>
    public string ToCanonicalJson() => JsonSerializer.Serialize(new
    {
        target = Target,
        state = State,
        allowedAccountIds = AllowedAccountIds,
        defaultTags = new SortedDictionary<string, string>(DefaultTags.ToDictionary(), StringComparer.Ordinal),
    });
}
