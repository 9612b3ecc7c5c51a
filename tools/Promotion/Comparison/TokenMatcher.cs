namespace FraudTf.Promotion.Comparison;

/// <summary>A per-environment value: the config field and its value in each of the two environments.</summary>
/// <param name="Field">Config path, e.g. <c>retention.logRetentionDays</c> or <c>environment</c>.</param>
/// <param name="From">Its value (as text) in the source environment.</param>
/// <param name="To">Its value (as text) in the target environment.</param>
public sealed record Substitution(string Field, string From, string To);

/// <summary>
/// Decides whether a value of the target stack is the source stack's value with per-environment values substituted:
/// <c>to</c> must be obtainable from <c>from</c> by replacing whole tokens (bounded by a non-alphanumeric character
/// or the end of the text) <c>s.From</c> by <c>s.To</c>, for substitutions <c>s</c> of the environments' configs,
/// every other character unchanged. Equal texts match with no substitution.
/// </summary>
public static class TokenMatcher
{
    /// <summary>
    /// True when <paramref name="to"/> is <paramref name="from"/> with config values substituted; <paramref name="used"/>
    /// holds the substitutions applied (distinct, in order of first use).
    /// </summary>
    public static bool Explains(string from, string to, IReadOnlyList<Substitution> substitutions, out IReadOnlyList<Substitution> used)
    {
        used = [];
        var candidates = substitutions.Where(s => s.From.Length > 0 && s.From != s.To).ToList();
        // Depth-first search over (i, j) = positions in from and to, trying a substitution before a literal character;
        // failed states are remembered, so each (i, j) is explored once.
        var failed = new HashSet<(int, int)>();
        var stack = new Stack<(int I, int J, int Next, Substitution? Via)>();
        stack.Push((0, 0, 0, null));
        while (stack.Count > 0)
        {
            var (i, j, next, via) = stack.Pop();
            if (i == from.Length && j == to.Length)
            {
                var path = stack.Reverse().Select(f => f.Via).Append(via).OfType<Substitution>().Distinct().ToList();
                used = path;
                return true;
            }

            // Alternatives at this state: 0..n-1 = substitution k, n = literal character.
            var moved = false;
            for (var k = next; k <= candidates.Count; k++)
            {
                (int I, int J)? step = null;
                Substitution? s = null;
                if (k < candidates.Count)
                {
                    s = candidates[k];
                    if (TokenAt(from, i, s.From) && TokenAt(to, j, s.To))
                    {
                        step = (i + s.From.Length, j + s.To.Length);
                    }
                }
                else if (i < from.Length && j < to.Length && from[i] == to[j])
                {
                    step = (i + 1, j + 1);
                }

                if (step is { } st && !failed.Contains(st))
                {
                    stack.Push((i, j, k + 1, via));
                    stack.Push((st.I, st.J, 0, s));
                    moved = true;
                    break;
                }
            }

            if (!moved)
            {
                failed.Add((i, j));
            }
        }

        return false;
    }

    private static bool TokenAt(string text, int at, string token) =>
        at + token.Length <= text.Length
        && string.CompareOrdinal(text, at, token, 0, token.Length) == 0
        && (at == 0 || !char.IsLetterOrDigit(text[at - 1]))
        && (at + token.Length == text.Length || !char.IsLetterOrDigit(text[at + token.Length]));
}
