using System.Text.Json.Nodes;
using FraudTf.Config;

namespace FraudTf.Tests.Support;

/// <summary>Writes environment config folders for tests: the real files, optionally edited.</summary>
public static class ConfigFixture
{
    /// <summary>The real config of <paramref name="env"/> as an editable JSON object.</summary>
    public static JsonObject Real(string env) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.EnvironmentsDir, $"{env}.json")))!.AsObject();

    /// <summary>
    /// Creates a temporary environments folder holding the real configs, with <paramref name="edit"/> applied to
    /// <paramref name="env"/>'s file, and returns its path.
    /// </summary>
    public static string Folder(string? env = null, Action<JsonObject>? edit = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "fraudtf-config-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        foreach (var e in Directory.GetFiles(Repo.EnvironmentsDir, "*.json").Select(Path.GetFileNameWithoutExtension).OfType<string>())
        {
            var json = Real(e);
            if (e == env)
            {
                edit?.Invoke(json);
            }

            File.WriteAllText(Path.Combine(dir, $"{e}.json"), json.ToJsonString());
        }

        return dir;
    }

    /// <summary>Loads a folder and returns the validation errors (fails the test if it loads).</summary>
    public static IReadOnlyList<string> Errors(string dir)
    {
        var e = Assert.Throws<ConfigValidationException>(() => EnvironmentConfigLoader.LoadAll(dir))!;
        return e.Errors;
    }

    /// <summary>Loads the real configs with one environment edited and returns that environment's config.</summary>
    public static EnvironmentConfig Load(string env, Action<JsonObject> edit) =>
        EnvironmentConfigLoader.LoadAll(Folder(env, edit)).Single(c => c.Environment == env);
}
