using System.Diagnostics;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using Amazon.Runtime;
using FraudTf.Functions.Shared.Tables;
using FraudTf.Local.Engines;

namespace FraudTf.Local.Run;

/// <summary>
/// The baseline of the local run's benchmark, measured on the same machine in the same run: the raw rate of the engine the
/// whole path depends on most. DynamoDB Local (started fresh, with the stack's tables) takes one TransactWriteItems per
/// record of the shape the stream processor writes (a transaction row and a decision row put, the user's profile
/// updated), from a given number of concurrent writers, with nothing else around it: no Kinesis, no function,
/// no poller. The local run's throughput divided by this rate says how much of the engine's capacity the whole path
/// reaches.
/// </summary>
public static class EngineBaseline
{
    /// <summary>Records per second of the engine alone.</summary>
    public static async Task<double> Measure(string repoRoot, LocalStack stack, int records, int concurrency, CancellationToken ct)
    {
        await using var engine = await Engines.Engines.DynamoDbLocal(repoRoot, null, ct);
        using var dynamo = new AmazonDynamoDBClient(new BasicAWSCredentials(LocalCredentials.AccessKey, LocalCredentials.SecretKey),
            new AmazonDynamoDBConfig { ServiceURL = engine.Endpoint, AuthenticationRegion = stack.Region });
        await Provisioner.CreateTables(stack, dynamo, ct);
        var (transactions, decisions, profiles) = (stack.TableName("transactions"), stack.TableName("decisions"), stack.TableName("user-profiles"));

        async Task Write(int i)
        {
            var id = $"baseline-{i}";
            var user = $"user-{i % 500}";
            var at = DateTimeOffset.UnixEpoch.AddSeconds(i).ToString("O", CultureInfo.InvariantCulture);
            await dynamo.TransactWriteItemsAsync(new TransactWriteItemsRequest
            {
                TransactItems =
                [
                    new TransactWriteItem { Put = new Put { TableName = transactions, ConditionExpression = "attribute_not_exists(transactionId)", Item = new()
                    {
                        [TransactionAttributes.TransactionId] = new() { S = id }, [TransactionAttributes.UserId] = new() { S = user },
                        [TransactionAttributes.Timestamp] = new() { S = at }, [TransactionAttributes.Amount] = new() { N = "42.5" },
                        [TransactionAttributes.Currency] = new() { S = "USD" }, [TransactionAttributes.Decision] = new() { S = "APPROVE" },
                    } } },
                    new TransactWriteItem { Put = new Put { TableName = decisions, Item = new()
                    {
                        [DecisionAttributes.TransactionId] = new() { S = id }, [DecisionAttributes.DecisionKey] = new() { S = DecisionKeys.Automated },
                        [DecisionAttributes.UserId] = new() { S = user }, [DecisionAttributes.DecidedAt] = new() { S = at }, ["decision"] = new() { S = "APPROVE" },
                    } } },
                    new TransactWriteItem { Update = new Update
                    {
                        TableName = profiles, Key = new() { [ProfileAttributes.UserId] = new() { S = user } },
                        UpdateExpression = "SET lastTransactionAt = :at ADD txCount :one",
                        ExpressionAttributeValues = new() { [":at"] = new() { S = at }, [":one"] = new() { N = "1" } },
                    } },
                ],
            }, ct);
        }

        for (var i = 0; i < 200; i++)
        {
            await Write(-1 - i); // warm-up: JIT of the engine and the SDK
        }

        var next = -1;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < records)
            {
                await Write(i);
            }
        }));
        return records / watch.Elapsed.TotalSeconds;
    }
}
