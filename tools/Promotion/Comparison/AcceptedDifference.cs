using System.Text.Json;
using System.Text.RegularExpressions;

namespace FraudTf.Promotion.Comparison;

/// <summary>
/// A difference between environments that no config value explains but that the code makes on purpose (e.g. an
/// alarm that treats missing data as breaching only in prod), accepted explicitly with a written reason, as narrowly
/// as possible: one address pattern, one path, the target environment and the target value.
/// </summary>
/// <param name="Address">Terraform address; <c>*</c> matches any characters (for the hash suffix of logical ids).</param>
/// <param name="Path">Path inside the block, exactly as the report shows it.</param>
/// <param name="To">Target environment the difference is accepted for.</param>
/// <param name="Value">The target value accepted.</param>
/// <param name="Reason">Why the environments differ here (at least 20 characters).</param>
/// <param name="From">Source environment, or null for any.</param>
public sealed record AcceptedDifference(string Address, string Path, string To, string Value, string Reason, string? From = null)
{
    /// <summary>Whether this acceptance covers a difference of <paramref name="path"/> at <paramref name="address"/> whose target value is <paramref name="toValue"/>.</summary>
    public bool Covers(string fromEnv, string toEnv, string address, string path, string? toValue) =>
        toEnv == To && (From is null || From == fromEnv) && path == Path && toValue == Value
        && Regex.IsMatch(address, "^" + string.Join(".*", Address.Split('*').Select(Regex.Escape)) + "$");

    /// <summary>The relative path of the file holding the accepted differences.</summary>
    public const string FileName = "promotion/accepted-differences.json";

    /// <summary>Loads <see cref="FileName"/> (none when it does not exist); every entry is checked, errors name the entry and field.</summary>
    public static IReadOnlyList<AcceptedDifference> Load(string root)
    {
        var file = System.IO.Path.Combine(root, FileName);
        if (!File.Exists(file))
        {
            return [];
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(file), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (!doc.RootElement.TryGetProperty("accepted", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            throw new UserError($"{FileName}: field 'accepted' must be an array of {{address, path, to, value, reason}}. Fix: see README, 'Validation and promotion report'.");
        }

        var result = new List<AcceptedDifference>();
        var i = 0;
        foreach (var e in list.EnumerateArray())
        {
            string? Field(string name, bool required = true)
            {
                var v = e.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
                if (required && string.IsNullOrWhiteSpace(v))
                {
                    throw new UserError($"{FileName}: accepted[{i}].{name} is missing or not a string. Fix: give every entry address, path, to, value and reason.");
                }

                return v;
            }

            var item = new AcceptedDifference(Field("address")!, Field("path")!, Field("to")!, Field("value")!, Field("reason")!, Field("from", required: false));
            if (item.Reason.Trim().Length < 20)
            {
                throw new UserError($"{FileName}: accepted[{i}].reason = \"{item.Reason}\" is too short. Fix: say in at least 20 characters why the environments differ here.");
            }

            result.Add(item);
            i++;
        }

        return result;
    }
}
