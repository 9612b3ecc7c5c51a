// Alike on purpose: every gate rule has GateRule's shape (id, scanner ids, rationale, a check over the stack index
// that returns findings with their fix); the likeness is the template, each rule's check is its own.
namespace FraudTf.Promotion.Validation.Gate.Rules;

/// <summary>
/// GATE-S3-001: an <c>aws_s3_bucket_lifecycle_configuration</c> with transitions states
/// <c>transition_default_minimum_object_size</c> explicitly. Since September 2024 a new configuration defaults to
/// <c>all_storage_classes_128K</c>: objects under 128 KB never transition to any class, so transitions of small objects
/// silently never happen. Either value is a decision and passes; leaving it out is not.
/// </summary>
// S3 API reference, PutBucketLifecycleConfiguration, TransitionDefaultMinimumObjectSize: "all_storage_classes_128K -
//   Objects smaller than 128 KB will not transition to any storage class by default. varies_by_storage_class - Objects
//   smaller than 128 KB will transition to Glacier Flexible Retrieval or Glacier Deep Archive storage classes. By default,
//   all other storage classes will prevent transitions smaller than 128 KB." S3 User Guide, "Transitioning objects using
//   Amazon S3 Lifecycle" and "Lifecycle configuration elements".
// Provider: internal/service/s3/bucket_lifecycle_configuration.go (transition_default_minimum_object_size, Optional+Computed;
//   website docs: "Valid values: all_storage_classes_128K (default), varies_by_storage_class").
public sealed class S3LifecycleSmallObjectsRule : GateRule
{
    /// <inheritdoc />
    public override string Id => "GATE-S3-001";

    /// <inheritdoc />
    public override string Title => "Lifecycle transitions state what happens to objects under 128 KB";

    /// <inheritdoc />
    public override string Source =>
        "S3 API reference, PutBucketLifecycleConfiguration, TransitionDefaultMinimumObjectSize (all_storage_classes_128K: \"Objects " +
        "smaller than 128 KB will not transition to any storage class by default\"); S3 User Guide, Transitioning objects using " +
        "Amazon S3 Lifecycle; hashicorp/terraform-provider-aws website/docs/r/s3_bucket_lifecycle_configuration.html.markdown";

    /// <inheritdoc />
    public override string Limits =>
        "A rule filter with object_size_greater_than/object_size_less_than overrides the default for that rule; the gate still " +
        "asks for the explicit setting. Whether the bucket's objects are small is not known offline.";

    /// <inheritdoc />
    public override IEnumerable<GateFinding> Check(GateStack stack)
    {
        foreach (var lifecycle in stack.OfType("aws_s3_bucket_lifecycle_configuration"))
        {
            if (lifecycle.Body["transition_default_minimum_object_size"] is not null)
            {
                continue;
            }

            var transitions = Gate1Support.Blocks(lifecycle.Body, "rule.transition")
                .Concat(Gate1Support.Blocks(lifecycle.Body, "rule.noncurrent_version_transition"))
                .Select(b => b.Path)
                .ToList();
            if (transitions.Count > 0)
            {
                yield return Finding(lifecycle,
                    $"{string.Join(", ", transitions)} transition objects, but transition_default_minimum_object_size is not set: the " +
                    "default (all_storage_classes_128K, since September 2024) keeps every object under 128 KB in its class, so these " +
                    "transitions never happen for small objects. Fix: set transition_default_minimum_object_size to " +
                    "varies_by_storage_class (objects under 128 KB still go to GLACIER/DEEP_ARCHIVE, at about 40 KB of overhead each) or " +
                    "to all_storage_classes_128K (small objects stay), and make the cost model agree.");
            }
        }
    }
}
