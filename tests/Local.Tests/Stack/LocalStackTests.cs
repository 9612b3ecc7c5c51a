namespace FraudTf.Local.Tests.Stack;

public class LocalStackTests
{
    [Test]
    public void ResolvesNamesAndArnsFromTheResourcesOwnArguments()
    {
        var stack = Repo.Stack();
        var (name, body) = stack.Resources("aws_kinesis_stream").First(r => r.Body["name"]!.GetValue<string>().Contains("transactions"));
        Assert.Multiple(() =>
        {
            Assert.That(stack.Resolve($"${{aws_kinesis_stream.{name}.name}}"), Is.EqualTo(body["name"]!.GetValue<string>()));
            Assert.That(stack.Resolve($"x ${{aws_kinesis_stream.{name}.arn}} y"),
                Is.EqualTo($"x arn:aws:kinesis:{stack.Region}:{stack.Account}:stream/{body["name"]} y"));
        });
    }

    [Test]
    public void AnEngineValueOverridesAndAnUnknownAttributeFailsNamingIt()
    {
        var stack = Repo.Stack();
        var (queue, _) = stack.Resources("aws_sqs_queue").First();
        Assert.Throws<NotSupportedException>(() => stack.Resolve($"${{aws_sqs_queue.{queue}.url}}"));
        stack.SetAttribute("aws_sqs_queue", queue, "url", "http://127.0.0.1:1/q");
        Assert.That(stack.Resolve($"${{aws_sqs_queue.{queue}.url}}"), Is.EqualTo("http://127.0.0.1:1/q"));
    }

    [Test]
    public void AMissingEnvironmentSaysHowToSynthesizeIt()
    {
        var e = Assert.Throws<FileNotFoundException>(() => FraudTf.Local.Stack.LocalStack.Load(Path.Combine(Repo.Root(), "cdktf.out"), "nope"));
        Assert.That(e!.Message, Does.Contain("make synth"));
    }
}
