namespace FraudTf.Functions.Tests.Support;

/// <summary>
/// Sets process environment variables for the life of the scope and restores the previous values when disposed, for
/// tests of a handler's parameterless constructor (which reads its settings and AWS endpoints from the environment).
/// </summary>
public sealed class ScopedEnvironment : IDisposable
{
    private readonly Dictionary<string, string?> _saved;

    /// <summary>Sets <paramref name="variables"/>, remembering what they were.</summary>
    public ScopedEnvironment(IReadOnlyDictionary<string, string?> variables)
    {
        _saved = variables.Keys.ToDictionary(k => k, Environment.GetEnvironmentVariable);
        foreach (var (k, v) in variables)
        {
            Environment.SetEnvironmentVariable(k, v);
        }
    }

    /// <summary>Restores the previous values (unset where there was none).</summary>
    public void Dispose()
    {
        foreach (var (k, v) in _saved)
        {
            Environment.SetEnvironmentVariable(k, v);
        }
    }
}
