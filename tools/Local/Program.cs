namespace FraudTf.Local;

/// <summary>The entry point of <c>make local</c> (the orchestration lands with the runners).</summary>
public static class Program
{
    /// <summary>Runs the local platform.</summary>
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("make local: not yet assembled");
        return args.Length == 0 ? 2 : 2;
    }
}
