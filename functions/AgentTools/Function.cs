namespace FraudTf.Functions.AgentTools;

/// <summary>Placeholder until the function is written (work in progress on a branch).</summary>
public sealed class Function
{
    /// <summary>Not implemented yet.</summary>
    public Task<Stream> Handler(Stream input) => throw new NotImplementedException("work in progress");
}
