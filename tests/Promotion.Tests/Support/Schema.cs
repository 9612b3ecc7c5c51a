using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion.Tests.Support;

/// <summary>The real provider schema of the repository (generated from node_modules on first use).</summary>
public static class Schema
{
    /// <summary>The AWS provider 6.25 schema.</summary>
    public static ProviderSchema Aws => ProviderSchema.ForRepository(RealStacks.Root);
}
