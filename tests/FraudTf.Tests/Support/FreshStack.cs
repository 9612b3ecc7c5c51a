using System.Text.Json.Nodes;
using FraudTf.Compute;
using FraudTf.Security;

namespace FraudTf.Tests.Support;

/// <summary>
/// A new app and stack holding only the construct under test (and the keys it needs), for construct tests: build the
/// construct on <see cref="Stack"/>, then read <see cref="Synth"/>'s JSON or resolve tokens with <see cref="Resolve"/>.
/// </summary>
public sealed class FreshStack
{
    /// <summary>The account every construct test uses.</summary>
    public const string Account = "111111111111";

    /// <summary>The region every construct test uses.</summary>
    public const string Region = "us-east-1";

    private readonly App _app;
    private readonly string _outDir = Path.Combine(Path.GetTempPath(), "fraudtf-tests", Guid.NewGuid().ToString("N"));
    private JsonObject? _synthesized;

    /// <summary>A new app (writing to a temporary folder) and stack <c>test</c> with an AWS provider.</summary>
    public FreshStack()
    {
        _app = new App(new AppConfig { Outdir = _outDir });
        Stack = new TerraformStack(_app, "test");
        _ = new AwsProvider(Stack, "aws", new AwsProviderConfig { Region = Region });
    }

    /// <summary>The stack to build the construct on.</summary>
    public TerraformStack Stack { get; }

    /// <summary>A customer-managed key of <see cref="Account"/> with alias <paramref name="id"/>.</summary>
    public EncryptionKey Key(string id = "key") =>
        new(Stack, id, new EncryptionKeyConfig { AliasName = id, Description = "test", AccountId = Account });

    /// <summary>The settings of a function deploying the built code of <paramref name="project"/>, invoked synchronously by the test.</summary>
    public DotnetFunctionConfig FunctionConfig(string project = "functions/AgentTools", string keyId = "function-key")
    {
        var key = Key(keyId);
        return new DotnetFunctionConfig
        {
            FunctionName = "test-function",
            Description = "test",
            Code = FraudTf.Tests.Support.Synth.Functions.For(project),
            Settings = new FraudTf.Config.FunctionSettings { MemoryMb = 256, TimeoutSeconds = 10, ReservedConcurrency = 1 },
            EnvironmentKey = key,
            LogKey = key,
            LogRetentionDays = 30,
            AccountId = Account,
            Region = Region,
            SynchronousInvocation = new SynchronousInvocation("the test caller", "fails the test"),
        };
    }

    /// <summary>
    /// The stack synthesized by the app (once; build everything first), parsed, with its <c>"//"</c> metadata
    /// (<c>Testing.Synth</c> would drop it, and with it the policy exceptions and the other notes the constructs write).
    /// </summary>
    public JsonObject Synth()
    {
        if (_synthesized is null)
        {
            _app.Synth();
            _synthesized = JsonNode.Parse(File.ReadAllText(Path.Combine(_outDir, "stacks", "test", "cdk.tf.json")))!.AsObject();
        }

        return _synthesized;
    }

    /// <summary>The only resource of <paramref name="type"/> in the synthesized stack.</summary>
    public JsonObject Single(string type) => Synth().Resources(type).Values.Single();

    /// <summary>A token (or a string holding tokens) as it appears in the synthesized JSON, e.g. <c>${aws_kms_key.key_this_1A2B.arn}</c>.</summary>
    public string Resolve(string token) =>
        (string)Tokenization.Resolve(token, new ResolveOptions { Scope = Stack, Resolver = new DefaultTokenResolver(new StringConcat()) });
}
