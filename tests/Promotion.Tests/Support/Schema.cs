using FraudTf.Platform;
using FraudTf.Promotion.Validation;

namespace FraudTf.Promotion.Tests.Support;

/// <summary>The real provider schema of the repository for the CDK these tests were built against (generated from its npm package on first use).</summary>
public static class Schema
{
    /// <summary>The facts of the bindings this test assembly was built with (-p:Cdk): the CDK, the AWS provider version.</summary>
    public static CdkFacts Bindings { get; } = CdkFacts.Of(typeof(Schema).Assembly);

    /// <summary>The AWS provider schema of the bindings' CDK (6.25 on CDKTF, 6.66 on CDK Terrain).</summary>
    public static ProviderSchema Aws => ProviderSchema.ForRepository(RealStacks.Root, Bindings.Cdk);
}
