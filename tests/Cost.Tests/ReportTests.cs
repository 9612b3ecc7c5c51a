using FraudTf.Cost;
using static Cost.Tests.Fixture;

namespace Cost.Tests;

/// <summary>Errors, changes of profile or resource, the diff API and capacity.</summary>
[TestFixture]
public class ReportTests
{
    [Test]
    public void MissingPrice_FailsNamingResourceTypeAndKey()
    {
        var e = Assert.Throws<CostDataException>(() => Report(BaseStack(), prices: Prices(without: "kinesis.onDemandStreamHours")))!;

        Assert.That(e.Message, Does.StartWith("test-prices.json: no price 'kinesis.onDemandStreamHours', needed by resource type aws_kinesis_stream."));
        Assert.That(e.Message, Does.Contain("Fix: add \"kinesis.onDemandStreamHours\""));
    }

    [Test]
    public void ModelWithoutPrice_FailsNamingTheAgentTypeAndModelKey()
    {
        var stack = BaseStack().With("aws_bedrockagent_agent", "a", """{"agent_name":"x","foundation_model":"anthropic.claude-future-v9:0"}""");

        var e = Assert.Throws<CostDataException>(() => Report(stack))!;

        Assert.That(e.Message, Does.Contain("no price 'bedrock.model.anthropic.claude-future-v9:0.input', needed by resource type aws_bedrockagent_agent"));
    }

    [Test]
    public void MissingAssumption_FailsNamingKeyAndResource()
    {
        var e = Assert.Throws<CostDataException>(() => Report(BaseStack(), assumptions: Assumptions(without: "lambda.batchMs.stream-processor.hundred")))!;

        Assert.That(e.Message, Does.StartWith("test-assumptions.json: no assumption 'lambda.batchMs.stream-processor.hundred', needed by aws_lambda_function.sp"));
    }

    [Test]
    public void UnknownResourceType_IsAnError_NeverSilentlyFree()
    {
        var stack = BaseStack().With("aws_rds_cluster", "db", """{"cluster_identifier":"x"}""");

        var e = Assert.Throws<CostDataException>(() => Report(stack))!;

        Assert.That(e.Message, Does.Contain("resource type aws_rds_cluster (aws_rds_cluster.db) has no cost model and is not listed as free"));
    }

    [Test]
    public void UnknownTable_FailsNamingIt()
    {
        var stack = BaseStack().With("aws_dynamodb_table", "t", """{"name":"fraud-detection-sessions-dev","billing_mode":"PAY_PER_REQUEST"}""");

        var e = Assert.Throws<CostDataException>(() => Report(stack))!;

        Assert.That(e.Message, Does.Contain("table fraud-detection-sessions-dev (aws_dynamodb_table.t) has no workload model"));
    }

    [Test]
    public void FunctionNothingInvokes_FailsNamingIt()
    {
        var stack = BaseStack().With("aws_lambda_function", "orphan", """{"function_name":"fraud-detection-orphan-dev","memory_size":128}""");

        var e = Assert.Throws<CostDataException>(() => Report(stack))!;

        Assert.That(e.Message, Does.Contain("nothing in the stack invokes function fraud-detection-orphan-dev"));
    }

    [Test]
    public void PricesOfAnotherRegion_Fail()
    {
        var env = Environment();
        var other = env with { Region = "eu-west-1" };

        var e = Assert.Throws<CostDataException>(() => CostApi.Report(Stack(BaseStack()), other, Prices(), Assumptions()))!;

        Assert.That(e.Message, Does.Contain("prices are for us-east-1, but environments/dev.json deploys to eu-west-1"));
    }

    [Test]
    public void FreeTypes_AreCountedNotPriced()
    {
        var r = Report(BaseStack().With("aws_iam_role", "r", "{}").With("aws_iam_role", "r2", "{}"));

        Assert.That(r.FreeResources.Single(f => f.Type == "aws_iam_role").Count, Is.EqualTo(2));
        Assert.That(r.FreeResources.Single(f => f.Type == "aws_lambda_event_source_mapping").Count, Is.EqualTo(1));
        Assert.That(r.Resources.Select(x => x.Type), Has.None.EqualTo("aws_iam_role"));
    }

    [Test]
    public void DoubledTraffic_DoublesVolumeCosts_NotFixedOnes()
    {
        var one = Report(BaseStack());
        var two = Report(BaseStack(), Environment(t => { t["averageTps"] = 2; t["peakTps"] = 5; }));

        Assert.Multiple(() =>
        {
            Assert.That(two.Line("aws_kinesis_stream.tx", "data ingested").Quantity, Is.EqualTo(2 * one.Line("aws_kinesis_stream.tx", "data ingested").Quantity).Within(1e-9));
            Assert.That(two.Line("aws_kinesis_stream.tx", "stream hours").Quantity, Is.EqualTo(one.Line("aws_kinesis_stream.tx", "stream hours").Quantity));
            // 2/s over 8 lanes is still one record per batch: twice the invocations
            Assert.That(two.Line("aws_lambda_function.sp", "requests").Quantity, Is.EqualTo(2 * one.Line("aws_lambda_function.sp", "requests").Quantity).Within(1e-6));
            // X-Ray traces do not double: Lambda traces the first invocation each second and only 5% of the rest.
            static double Traces(FraudTf.Cost.CostReport r) => r.Resources.SelectMany(x => x.Lines).Where(l => l.Item == "traces recorded").Sum(l => l.MonthlyUsd);
            Assert.That(two.TotalUsd - Traces(two) - (one.TotalUsd - Traces(one)), Is.EqualTo(one.TotalUsd - Traces(one) - 730).Within(1e-6),
                "everything but the 730 stream hours and the traces doubles");
        });
    }

    [Test]
    public void ChangedResource_DiffShowsOnlyThatResource()
    {
        var before = Report(BaseStack());
        var bigger = BaseStack();
        bigger["aws_lambda_function"]!["sp"]!["memory_size"] = 2048;
        var after = Report(bigger);

        var diff = CostApi.Diff(before, after, "before", "after");

        Assert.Multiple(() =>
        {
            Assert.That(diff.Changed.Select(c => c.Address), Is.EqualTo(new[] { "aws_lambda_function.sp" }));
            // duration doubles: 2,628,000 x 10 ms x 1 GB more, at $1 per GB-s
            Assert.That(diff.DeltaUsd, Is.EqualTo(2_628_000 * 0.010).Within(1e-6));
            Assert.That(diff.Changed[0].DeltaUsd, Is.EqualTo(diff.DeltaUsd).Within(1e-9));
            Assert.That(diff.FromTotalUsd, Is.EqualTo(before.TotalUsd));
        });
    }

    [Test]
    public void Diff_AddedAndRemovedResources_CountFromZero()
    {
        var before = Report(BaseStack());
        var after = Report(BaseStack().With("aws_cloudwatch_dashboard", "d", """{"dashboard_name":"x"}"""));

        var diff = CostApi.Diff(before, after);
        var added = diff.Changed.Single();

        Assert.That(added.Address, Is.EqualTo("aws_cloudwatch_dashboard.d"));
        Assert.That(added.FromName, Is.Null);
        Assert.That(added.DeltaUsd, Is.EqualTo(1));
        Assert.That(CostMarkdown.Diff(diff), Does.Contain("| x (added) | aws_cloudwatch_dashboard | $0.00 | $1.00 | +$1.00 |"));
    }

    [Test]
    public void Capacity_LambdaLanesCappedByReservedConcurrency()
    {
        var r = Report(BaseStack());
        var lambda = r.Capacity.Limits.Single(l => l.Limit.StartsWith("Lambda fraud-detection-stream-processor-dev", StringComparison.Ordinal));

        // min(4 shards x 2, reserved 3) = 3 lanes x 100 records per 109 ms
        Assert.That(lambda.MaxTps, Is.EqualTo(3 * 100 / 0.109).Within(1e-6));
        Assert.That(lambda.ForTenTimes, Is.Empty, "10 x 5 TPS = 50 fits");
    }

    [Test]
    public void Capacity_TenTimesPeak_SaysWhatToChange()
    {
        var r = Report(BaseStack(), Environment(t => { t["averageTps"] = 100; t["peakTps"] = 500; }));
        var lambda = r.Capacity.Limits.Single(l => l.Limit.StartsWith("Lambda fraud-detection-stream-processor-dev", StringComparison.Ordinal));

        // 5000 TPS / 917.4 per lane = 6 lanes: parallelization 2 on 4 shards, reserved concurrency 6
        Assert.That(lambda.ForTenTimes, Does.StartWith("6 concurrent batches: streaming.parallelizationFactor 2 (max 10) on 4 shards and functions.streamProcessor.reservedConcurrency >= 6"));
        Assert.That(r.Capacity.Binding, Is.EqualTo(lambda), "the only limit below the new-stream 4000 records/s");
        Assert.That(r.Capacity.SustainedTps, Is.EqualTo(lambda.MaxTps));
    }

    [Test]
    public void Capacity_PerShard_KeepsUpAtTheConfiguredFactor()
    {
        var r = Report(BaseStack());
        var line = r.Capacity.PerKeyLimits.Single(l => l.StartsWith("fraud-detection-stream-processor-dev per shard:", StringComparison.Ordinal));

        // parallelization 2 x 100 records per 109 ms = 1,835 records/s against 1,000 records/s (600 B records are below 1 MiB/s)
        Assert.That(line, Does.Contain("= 1,835 records/s").And.EndWith("keeps up with a shard written at its limit (1.8x)"));
    }

    [Test]
    public void Capacity_PerShard_FallingBehind_NamesTheFactorThatWouldKeepUp()
    {
        // 406 ms a 100-record batch: 246 records/s a batch, 493 at parallelization 2; ceil(1000 / 246.3) = 5 batches at once
        var r = Report(BaseStack(), assumptions: Assumptions(overrides: new Dictionary<string, double> { ["lambda.batchMs.stream-processor.hundred"] = 406 }));
        var line = r.Capacity.PerKeyLimits.Single(l => l.StartsWith("fraud-detection-stream-processor-dev per shard:", StringComparison.Ordinal));

        Assert.That(line, Does.EndWith("falls behind a shard written at its limit (0.49x); parallelization_factor 5 would keep up"));
    }

    [Test]
    public void Capacity_PerShard_WhenEvenTheMaximumFactorFallsBehind_SaysSoAndNamesMoreShards()
    {
        // 1,009 ms a 100-record batch: 99.1 records/s a batch; even 10 at once (991 records/s) stay below 1,000 records/s
        var r = Report(BaseStack(), assumptions: Assumptions(overrides: new Dictionary<string, double> { ["lambda.batchMs.stream-processor.hundred"] = 1009 }));
        var line = r.Capacity.PerKeyLimits.Single(l => l.StartsWith("fraud-detection-stream-processor-dev per shard:", StringComparison.Ordinal));

        Assert.That(line, Does.Not.Contain("would keep up"), "no factor up to the maximum keeps up");
        Assert.That(line, Does.EndWith("falls behind a shard written at its limit (0.2x), and so would parallelization_factor 10 (the maximum: 991 records/s, 0.99x); "
            + "what keeps up is more shards, each written at no more than 991 records/s (2x the shards for the same writes), or a faster batch"));
    }

    [Test]
    public void Capacity_NewTableWriteLimit_FromUnitsPerTransaction()
    {
        var r = Report(BaseStack().With("aws_dynamodb_table", "txt",
            """{"name":"fraud-detection-transactions-dev","billing_mode":"PAY_PER_REQUEST","global_secondary_index":[{"name":"byUserTime","projection_type":"INCLUDE"}]}"""));
        var table = r.Capacity.Limits.Single(l => l.Limit.StartsWith("DynamoDB fraud-detection-transactions-dev", StringComparison.Ordinal));

        // 3 WRU per transaction against 4000 WRU/s; reads: (1.5 + 0.1) per transaction against 12,000 RRU/s
        Assert.That(table.MaxTps, Is.EqualTo(4000 / 3.0).Within(1e-6));
        Assert.That(table.ScalesOnDemand, Is.True);
        Assert.That(r.Capacity.FixedBinding!.Limit, Does.StartWith("Lambda fraud-detection-stream-processor-dev"), "the first limit that does not scale by itself");
    }

    [Test]
    public void Markdown_ShowsTotalsAssumptionsAndPriceSource()
    {
        var md = CostMarkdown.Report(Report(BaseStack()));

        Assert.Multiple(() =>
        {
            Assert.That(md, Does.StartWith("## fraud-detection-dev: $"));
            Assert.That(md, Does.Contain("Prices: us-east-1, read 2026-11-25"));
            Assert.That(md, Does.Contain("| lambda.batchMs.stream-processor.hundred | 109 |"));
            Assert.That(md, Does.Contain("### Capacity of fraud-detection-dev"));
            Assert.That(md, Does.Not.Contain("dynamodb.patterns.items"), "only the assumptions used are listed");
        });
    }

    [Test]
    public void SameInputs_SameMarkdown()
    {
        var first = CostMarkdown.Report(Report(BaseStack()));
        var second = CostMarkdown.Report(Report(BaseStack()));

        Assert.That(second, Is.EqualTo(first));
    }
}

/// <summary>The data files' own validation.</summary>
[TestFixture]
public class DataFileTests
{
    [Test]
    public void PriceWithZeroPer_FailsNamingTheKey()
    {
        var e = Assert.Throws<CostDataException>(() => PriceBook.Parse(
            """{"region":"us-east-1","readOn":"2026-11-25","source":"s","prices":{"sns.publishes":{"usd":0.5,"per":0}}}""", "p.json"))!;

        Assert.That(e.Message, Does.StartWith("p.json: price 'sns.publishes' has 'per' = 0."));
    }

    [Test]
    public void PriceFileWithoutReadOnDate_Fails()
    {
        var e = Assert.Throws<CostDataException>(() => PriceBook.Parse("""{"region":"us-east-1","source":"s","prices":{}}""", "p.json"))!;

        Assert.That(e.Message, Does.StartWith("p.json: missing the string 'readOn'."));
    }

    [Test]
    public void AssumptionWithoutNumber_FailsNamingTheKey()
    {
        var e = Assert.Throws<CostDataException>(() => AssumptionBook.Parse("""{"values":{"month.hours":{"value":"730"}}}""", "a.json"))!;

        Assert.That(e.Message, Does.StartWith("a.json: assumption 'month.hours' needs a number 'value'."));
    }

    [Test]
    public void Price_ShowsUsdPerUnits()
    {
        Assert.That(new Price("k", 0.625, 1_000_000, "write request units").ToString(), Is.EqualTo("$0.625 per 1,000,000 write request units"));
        Assert.That(new Price("k", 0.625, 1_000_000, "x").UnitUsd, Is.EqualTo(0.000000625).Within(1e-15));
    }
}
