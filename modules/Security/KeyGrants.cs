namespace FraudTf.Security;

/// <summary>Statements that let a principal use a customer-managed key only through one AWS service.</summary>
public static class KeyGrants
{
    /// <summary>
    /// Allows <paramref name="actions"/> on <paramref name="key"/> only when the call comes through
    /// <paramref name="service"/> (e.g. <c>dynamodb</c>) in <paramref name="region"/>: <c>kms:ViaService</c>.
    /// </summary>
    public static PolicyStatement ViaService(EncryptionKey key, IReadOnlyList<string> actions, string service, string region, string sid) => new()
    {
        Sid = sid,
        Actions = actions,
        Resources = [key.KeyArn],
        Conditions = [new PolicyCondition("StringEquals", "kms:ViaService", [$"{service}.{region}.amazonaws.com"])],
    };
}
