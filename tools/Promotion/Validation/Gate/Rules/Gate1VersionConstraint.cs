using System.Globalization;
using System.Text.RegularExpressions;

namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>A provider version <c>major.minor.patch[-prerelease]</c>; a prerelease sorts before its release, as in Terraform.</summary>
/// <param name="Major">Major version.</param>
/// <param name="Minor">Minor version.</param>
/// <param name="Patch">Patch version.</param>
/// <param name="Prerelease">Prerelease label, empty for a release.</param>
internal sealed record Gate1Version(int Major, int Minor, int Patch, string Prerelease = "") : IComparable<Gate1Version>
{
    /// <summary>Parses <c>6</c>, <c>6.27</c>, <c>6.27.0</c> or <c>6.27.0-beta1</c> (missing parts are 0); null when not a version.</summary>
    public static Gate1Version? Parse(string text)
    {
        var m = Regex.Match(text.Trim(), @"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.\-]+))?$");
        if (!m.Success)
        {
            return null;
        }

        static int Part(Group g) => g.Success ? int.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
        return new Gate1Version(Part(m.Groups[1]), Part(m.Groups[2]), Part(m.Groups[3]), m.Groups[4].Success ? m.Groups[4].Value : "");
    }

    /// <summary>The smallest release above this version (the next patch).</summary>
    public Gate1Version NextPatch() => Prerelease.Length > 0 ? this with { Prerelease = "" } : new Gate1Version(Major, Minor, Patch + 1);

    /// <inheritdoc />
    public int CompareTo(Gate1Version? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = (Major, Minor, Patch).CompareTo((other.Major, other.Minor, other.Patch));
        if (c != 0)
        {
            return c;
        }

        return (Prerelease.Length == 0, other.Prerelease.Length == 0) switch
        {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => -1,
            _ => string.CompareOrdinal(Prerelease, other.Prerelease),
        };
    }

    /// <summary>Less than.</summary>
    public static bool operator <(Gate1Version a, Gate1Version b) => a.CompareTo(b) < 0;

    /// <summary>Greater than.</summary>
    public static bool operator >(Gate1Version a, Gate1Version b) => a.CompareTo(b) > 0;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(Gate1Version a, Gate1Version b) => a.CompareTo(b) <= 0;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(Gate1Version a, Gate1Version b) => a.CompareTo(b) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Major}.{Minor}.{Patch}" + (Prerelease.Length > 0 ? "-" + Prerelease : "");
}

/// <summary>
/// A Terraform version constraint (<c>required_providers.aws.version</c>): comma-separated clauses with the operators
/// <c>=</c>, <c>!=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>, <c>~&gt;</c>; a bare version means <c>=</c>.
/// Source: Terraform language docs, "Version Constraints" (developer.hashicorp.com/terraform/language/expressions/version-constraints):
/// <c>~&gt; 1.2.0</c> allows 1.2.x only, <c>~&gt; 1.2</c> allows 1.x from 1.2.
/// </summary>
internal sealed class Gate1VersionConstraint
{
    private Gate1VersionConstraint(Gate1Version? lowest, string? error, bool hasLowerBound)
    {
        Lowest = lowest;
        Error = error;
        HasLowerBound = hasLowerBound;
    }

    /// <summary>The lowest version the constraint admits, or null when it has an error or admits nothing.</summary>
    public Gate1Version? Lowest { get; }

    /// <summary>What is wrong with the constraint (unparsable, no lower bound, admits nothing), or null.</summary>
    public string? Error { get; }

    /// <summary>True when some clause bounds the versions from below (<c>=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>~&gt;</c>).</summary>
    public bool HasLowerBound { get; }

    /// <summary>Parses <paramref name="constraint"/> and computes the lowest admitted version.</summary>
    public static Gate1VersionConstraint Parse(string constraint)
    {
        Gate1Version? lower = null;
        var lowerInclusive = true;
        Gate1Version? upper = null;
        var upperInclusive = true;
        var excluded = new List<Gate1Version>();

        void Lower(Gate1Version v, bool inclusive)
        {
            if (lower is null || v > lower || (v.CompareTo(lower) == 0 && !inclusive))
            {
                lower = v;
                lowerInclusive = inclusive;
            }
        }

        void Upper(Gate1Version v, bool inclusive)
        {
            if (upper is null || v < upper || (v.CompareTo(upper) == 0 && !inclusive))
            {
                upper = v;
                upperInclusive = inclusive;
            }
        }

        var clauses = constraint.Split(',', StringSplitOptions.TrimEntries);
        foreach (var clause in clauses)
        {
            var m = Regex.Match(clause, @"^(~>|>=|<=|!=|>|<|=)?\s*(.+)$");
            var version = m.Success ? Gate1Version.Parse(m.Groups[2].Value) : null;
            if (version is null)
            {
                return new Gate1VersionConstraint(null, $"the clause '{clause}' is not '<operator> <version>'", false);
            }

            // Alike on purpose: one arm per operator of Terraform's version constraint syntax, each a bound.
            switch (m.Groups[1].Value)
            {
                case "" or "=":
                    Lower(version, true);
                    Upper(version, true);
                    break;
                case "!=":
                    excluded.Add(version);
                    break;
                case ">":
                    Lower(version, false);
                    break;
                case ">=":
                    Lower(version, true);
                    break;
                case "<":
                    Upper(version, false);
                    break;
                case "<=":
                    Upper(version, true);
                    break;
                case "~>":
                    Lower(version, true);
                    // ~> 6.27.0 admits 6.27.x; ~> 6.27 (and ~> 6) admit 6.x: the rightmost given part may grow.
                    var given = m.Groups[2].Value.Split('-')[0].Split('.').Length;
                    Upper(given >= 3 ? new Gate1Version(version.Major, version.Minor + 1, 0) : new Gate1Version(version.Major + 1, 0, 0), false);
                    break;
            }
        }

        if (lower is null)
        {
            return new Gate1VersionConstraint(null, "it has no lower bound, so it admits every old provider version", false);
        }

        var lowest = lowerInclusive ? lower : lower.NextPatch();
        while (excluded.Any(e => e.CompareTo(lowest) == 0))
        {
            lowest = lowest.NextPatch();
        }

        if (upper is not null && (lowest > upper || (lowest.CompareTo(upper) == 0 && !upperInclusive)))
        {
            return new Gate1VersionConstraint(null, "it admits no version at all", true);
        }

        return new Gate1VersionConstraint(lowest, null, true);
    }
}
