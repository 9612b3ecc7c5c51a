using System.Security.Cryptography;
using System.Text;

namespace FraudTf.Agent;

/// <summary>One source document of the knowledge base, read from the repository.</summary>
/// <param name="FileName">File name inside the documents folder, e.g. <c>scoring-rules.md</c>.</param>
/// <param name="Content">The document's text (UTF-8, line endings normalized to LF).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of <paramref name="Content"/>'s UTF-8 bytes.</param>
public sealed record KnowledgeDocument(string FileName, string Content, string Sha256);

/// <summary>
/// Reads the knowledge base's source documents from their folder in the repository: Markdown and text files only,
/// in ordinal name order, line endings normalized (so a checkout with CRLF gives the same hashes), each at most
/// 50 MB (Bedrock's limit per file). Errors name the folder and the fix.
/// </summary>
public static class KnowledgeBaseDocuments
{
    /// <summary>File extensions taken as documents.</summary>
    public static readonly IReadOnlyList<string> Extensions = [".md", ".txt"];

    /// <summary>Reads every document of <paramref name="relativeFolder"/> under <paramref name="repoRoot"/>.</summary>
    /// <param name="repoRoot">The repository root.</param>
    /// <param name="relativeFolder">The folder, relative to the root (from <c>agent.knowledgeBaseDocuments</c>).</param>
    /// <param name="configFile">The environment file that names the folder (for error messages).</param>
    public static IReadOnlyList<KnowledgeDocument> Read(string repoRoot, string relativeFolder, string configFile)
    {
        var folder = Path.Combine(repoRoot, relativeFolder);
        if (!Directory.Exists(folder))
        {
            throw new ArgumentException($"{configFile}: field 'agent.knowledgeBaseDocuments' = \"{relativeFolder}\": the folder does not exist. " +
                                        "Fix: create it with the knowledge base's documents, or point the field to the folder that holds them.");
        }

        var documents = Directory.EnumerateFiles(folder)
            .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetFileName(f))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                var path = Path.Combine(folder, name);
                if (new FileInfo(path).Length > 50L * 1024 * 1024)
                {
                    throw new ArgumentException($"{relativeFolder}/{name}: larger than 50 MB, Bedrock's limit for a knowledge-base document. Fix: split it.");
                }

                var content = File.ReadAllText(path, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
                return new KnowledgeDocument(name, content, Hash(content));
            })
            .ToList();
        if (documents.Count == 0)
        {
            throw new ArgumentException($"{configFile}: field 'agent.knowledgeBaseDocuments' = \"{relativeFolder}\": the folder has no " +
                                        $"{string.Join(" or ", Extensions)} document. Fix: add the knowledge base's documents there.");
        }

        return documents;
    }

    /// <summary>Lower-case hex SHA-256 of a text's UTF-8 bytes.</summary>
    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
