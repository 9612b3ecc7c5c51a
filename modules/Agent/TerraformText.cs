namespace FraudTf.Agent;

/// <summary>Literal text inside Terraform JSON string values.</summary>
public static class TerraformText
{
    /// <summary>
    /// Escapes Terraform's template sequences so text from a file (a document, an instruction) reaches AWS exactly as
    /// written: <c>${</c> becomes <c>$${</c> and <c>%{</c> becomes <c>%%{</c>; nothing else changes.
    /// </summary>
    public static string Literal(string text) =>
        text.Replace("${", "$${", StringComparison.Ordinal).Replace("%{", "%%{", StringComparison.Ordinal);
}
