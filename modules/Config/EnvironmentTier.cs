namespace FraudTf.Config;

/// <summary>
/// What an environment is for: the <c>tier</c> field of its file (<c>"development"</c>, <c>"preproduction"</c> or
/// <c>"production"</c>, required). The tier, never the environment's name, chooses the default of every setting the
/// file leaves out, so a new environment is a new file with the tier it belongs to.
/// </summary>
public enum EnvironmentTier
{
    /// <summary>
    /// Where code and rules are tried (dev): nothing is protected from deletion, the audit lock is GOVERNANCE, logs are
    /// kept 30 days and access logs 90, functions and alarm thresholds are small, traffic is sized at 1 TPS.
    /// </summary>
    Development,

    /// <summary>
    /// The rehearsal of a production deploy (staging): the development tier's defaults, with traffic sized at a tenth of
    /// production (10 TPS) for the cost report and load rehearsals.
    /// </summary>
    Preproduction,

    /// <summary>
    /// Customer traffic (prod): deletion protection and <c>prevent_destroy</c>, the COMPLIANCE audit lock, logs and access
    /// logs kept 365 days, transactions 365, larger functions and alarm thresholds, standby replicas for the knowledge
    /// base's collection, the no-transactions alarm breaching on silence, traffic sized at 100 TPS. Its deploy must ship
    /// what the environment promoting to it received.
    /// </summary>
    Production,
}
