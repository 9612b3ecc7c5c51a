using FraudTf.Functions.Shared.Scoring;
using FraudTf.Functions.Shared.Transactions;

namespace FraudTf.Functions.Storage;

/// <summary>
/// A user's profile as read, and how to condition its next update on it.
/// </summary>
/// <param name="Profile">What was learnt; empty for a new user, and for statistics that cannot be read.</param>
/// <param name="Version">The version read (0 for a new user or an unreadable version); an update writes <c>Version</c> + the saves it stands for.</param>
/// <param name="StoredVersion">The stored <c>profileVersion</c> attribute exactly as read (the update is conditioned on it being
/// unchanged, whatever its type); null when the row or the attribute is absent (the update requires it still absent).</param>
/// <param name="Problems">What was unusable in the stored row (attribute names and what was wrong, never values); empty when sound.</param>
public sealed record ProfileState(UserProfile Profile, long Version, AttributeValue? StoredVersion, IReadOnlyList<string> Problems)
{
    /// <summary>A user without a stored profile.</summary>
    public static ProfileState New { get; } = new(new UserProfile(), 0, null, []);

    /// <summary>The state after an update of this one wrote <paramref name="profile"/> (version + <paramref name="saves"/>).</summary>
    public ProfileState After(UserProfile profile, int saves = 1)
    {
        var next = Version + saves;
        return new ProfileState(profile, next, new AttributeValue { N = next.ToString(CultureInfo.InvariantCulture) }, []);
    }
}

/// <summary>
/// The user-profiles row (<see cref="ProfileAttributes"/>): read without trusting it, and the two updates the platform
/// makes, each conditioned on the version read (optimistic locking): <see cref="Learn"/> (an approved transaction: the
/// stream processor's APPROVE, an analyst's approval of a REVIEW) and <see cref="Bump"/> (a transaction that was not
/// approved: only the version moves, so a concurrent save still conflicts). One code for both writers.
/// </summary>
public static class ProfileRows
{
    /// <summary>Largest <c>txCount</c> read as a count (a larger one is a corrupt row).</summary>
    public const long MaxTransactionCount = 1_000_000_000_000;

    /// <summary>Largest <c>profileVersion</c> read as a version (a larger one is a corrupt row, read as 0): an update adds
    /// the number of saves it stands for, up to a hundred, which must not overflow.</summary>
    public const long MaxVersion = long.MaxValue / 2;

    /// <summary>Largest log amount read (ln of the parser's largest amount, with room for any rate).</summary>
    public const double MaxLogAmount = 60;

    private static readonly string[] AmountStatistics =
        [ProfileAttributes.AmountCount, ProfileAttributes.LogAmountMean, ProfileAttributes.LogAmountM2, ProfileAttributes.MaxAmount];

    /// <summary>
    /// Reads a stored profile row. The amount statistics stand or fall together: all absent (a new user, a row written only
    /// by the alert handler or by a non-approved save, or a profile from before scoring v2) is "no statistics" without a
    /// problem; some present but unusable, or missing beside others, is a corrupt row: reported, and read as no statistics
    /// (the next learning rewrites them). Sets are kept when readable; an unreadable version reads as 0 but the update
    /// is still conditioned on the attribute as stored.
    /// </summary>
    public static ProfileState Read(IReadOnlyDictionary<string, AttributeValue> item)
    {
        var row = new StoredRow(item);
        var count = row.Long(ProfileAttributes.TxCount, min: 0, max: MaxTransactionCount);
        var present = AmountStatistics.Count(row.Has);
        var amountCount = row.Long(ProfileAttributes.AmountCount, required: present > 0, min: 0, max: MaxTransactionCount);
        var logMean = row.Double(ProfileAttributes.LogAmountMean, required: present > 0, min: -MaxLogAmount, max: MaxLogAmount);
        var logM2 = row.Double(ProfileAttributes.LogAmountM2, required: present > 0, min: 0);
        var max = row.Double(ProfileAttributes.MaxAmount, required: present > 0, min: 0);
        var statistics = amountCount is not null && logMean is not null && logM2 is not null && max is not null && amountCount <= (count ?? 0);
        if (present > 0 && amountCount is not null && count is not null && amountCount > count)
        {
            row.AddProblem(ProfileAttributes.AmountCount, "above txCount");
        }

        var lastAt = row.Timestamp(ProfileAttributes.LastTransactionAt);

        var lastCountry = row.String(ProfileAttributes.LastCountry);
        var storedVersion = row.Raw(ProfileAttributes.ProfileVersion);
        var version = storedVersion is null ? 0 : row.Long(ProfileAttributes.ProfileVersion, min: 0, max: MaxVersion) ?? 0;
        var profile = new UserProfile
        {
            Count = count ?? 0,
            AmountCount = statistics ? amountCount!.Value : 0,
            LogMean = statistics ? logMean!.Value : 0,
            LogM2 = statistics ? logM2!.Value : 0,
            MaxAmount = statistics ? max!.Value : 0,
            Countries = Set(row, ProfileAttributes.Countries),
            MerchantCategories = Set(row, ProfileAttributes.MerchantCategories),
            Devices = Set(row, ProfileAttributes.Devices),
            Channels = Set(row, ProfileAttributes.Channels),
            LastCountry = lastCountry is not null && IsoCodes.Countries.Contains(lastCountry) ? lastCountry : null,
            LastAt = lastCountry is not null ? lastAt : null,
        };
        return new ProfileState(profile, version, storedVersion, row.Problems);
    }

    /// <summary>The update that writes <paramref name="after"/> (the profile after learning an approved transaction) over
    /// <paramref name="state"/>; <paramref name="saves"/>: how many saves it stands for (the version moves by as many:
    /// it counts saves, whether they were written one by one or together).</summary>
    public static Update Learn(string table, string userId, ProfileState state, UserProfile after, int saves = 1)
    {
        var set = new List<string>();
        var values = new Dictionary<string, AttributeValue>();
        void Set(string name, AttributeValue value)
        {
            set.Add($"{name} = :{name}");
            values[$":{name}"] = value;
        }

        Set(ProfileAttributes.TxCount, Number(after.Count));
        if (after.AmountCount > 0)
        {
            Set(ProfileAttributes.AmountCount, Number(after.AmountCount));
            Set(ProfileAttributes.LogAmountMean, Number(after.LogMean));
            Set(ProfileAttributes.LogAmountM2, Number(after.LogM2));
            Set(ProfileAttributes.MaxAmount, Number(after.MaxAmount));
        }

        // SET of the whole sets (not ADD): the update is conditioned on the version read, so the sets read are current,
        // and SET also repairs a set stored with another type. An empty set cannot be stored: it is left out.
        foreach (var (name, items) in new[]
                 {
                     (ProfileAttributes.Countries, after.Countries), (ProfileAttributes.MerchantCategories, after.MerchantCategories),
                     (ProfileAttributes.Devices, after.Devices), (ProfileAttributes.Channels, after.Channels),
                 })
        {
            if (items.Count > 0)
            {
                Set(name, new AttributeValue { SS = items.Order(StringComparer.Ordinal).ToList() });
            }
        }

        if (after.LastCountry is { } country && after.LastAt is { } at)
        {
            Set(ProfileAttributes.LastCountry, new AttributeValue { S = country });
            Set(ProfileAttributes.LastTransactionAt, new AttributeValue { S = StoredTime.Format(at) });
        }

        return Versioned(table, userId, state, set, values, saves);
    }

    /// <summary>The update of transactions that were not approved (<paramref name="saves"/> of them): only the version
    /// moves (the profile learns nothing).</summary>
    public static Update Bump(string table, string userId, ProfileState state, int saves = 1) =>
        Versioned(table, userId, state, [], [], saves);

    private static Update Versioned(string table, string userId, ProfileState state, List<string> set, Dictionary<string, AttributeValue> values, int saves)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(saves, 1);
        set.Add($"{ProfileAttributes.ProfileVersion} = :next");
        values[":next"] = Number(state.Version + saves);
        if (state.StoredVersion is not null)
        {
            values[":version"] = state.StoredVersion;
        }

        return new Update
        {
            TableName = table,
            Key = new Dictionary<string, AttributeValue> { [ProfileAttributes.UserId] = new() { S = userId } },
            UpdateExpression = "SET " + string.Join(", ", set),
            ConditionExpression = state.StoredVersion is null
                ? $"attribute_not_exists({ProfileAttributes.ProfileVersion})"
                : $"{ProfileAttributes.ProfileVersion} = :version",
            ExpressionAttributeValues = values,
        };
    }

    private static AttributeValue Number(long n) => new() { N = n.ToString(CultureInfo.InvariantCulture) };

    private static AttributeValue Number(double d) => new() { N = d.ToString("R", CultureInfo.InvariantCulture) };

    private static HashSet<string> Set(StoredRow row, string name) => new(row.StringSet(name) ?? [], StringComparer.Ordinal);
}
