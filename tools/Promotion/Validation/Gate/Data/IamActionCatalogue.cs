// IAM actions of the AWS services this project uses, one entry per service prefix.
//
// Facts only (action names), taken from the AWS Service Authorization Reference
// (https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html),
// section "Actions defined by <service>" of each service's page (reference/<page>.html, named below).
// Read from the copies of those pages kept by salesforce/policy_sentry (policy_sentry/shared/data/docs/<page>.html)
// at commit 66e53f23fe3f0aee8a625cdcefe71d49f933e9be (2026-06-22); the pages were last refreshed there on
// 2026-06-14 (bedrock and iam on 2026-05-10).
// Extracted on 2026-12-02 by listing the rows of each page's actions table.
//
// To add a service or refresh one: open its Service Authorization Reference page, copy the names of the
// "Actions" column of "Actions defined by ..." (no prefix), keep them sorted, and update the date above.
namespace FraudTf.Promotion.Validation.Gate.Data;

/// <summary>
/// The IAM actions of each service prefix the project uses (AWS Service Authorization Reference, see the file
/// header for the retrieval date). Used by GATE-IAM-001 to catch a misspelled or invented action, which IAM accepts
/// in a policy and then never matches.
/// </summary>
public static class IamActionCatalogue
{
    /// <summary>Action names (without prefix) by service prefix (lower case).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Actions { get; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
    {
        // list_amazonopensearchserverless.html
        ["aoss"] = Split("""
            APIAccessAll AddCollectionToCollectionGroup BatchGetCollection BatchGetCollectionGroup
            BatchGetEffectiveLifecyclePolicy BatchGetLifecyclePolicy BatchGetVpcEndpoint CreateAccessPolicy
            CreateCollection CreateCollectionGroup CreateIndex CreateLifecyclePolicy CreateSecurityConfig
            CreateSecurityPolicy CreateVpcEndpoint DashboardsAccessAll DeleteAccessPolicy DeleteCollection
            DeleteCollectionGroup DeleteIndex DeleteLifecyclePolicy DeleteSecurityConfig DeleteSecurityPolicy
            DeleteVpcEndpoint GetAccessPolicy GetAccountSettings GetIndex GetPoliciesStats GetSecurityConfig
            GetSecurityPolicy ListAccessPolicies ListCollectionGroups ListCollections ListLifecyclePolicies
            ListSecurityConfigs ListSecurityPolicies ListTagsForResource ListVpcEndpoints TagResource UntagResource
            UpdateAccessPolicy UpdateAccountSettings UpdateCollection UpdateCollectionGroup UpdateIndex
            UpdateLifecyclePolicy UpdateSecurityConfig UpdateSecurityPolicy UpdateVpcEndpoint
            """),
        // list_amazonec2.html: only the actions the project grants (Lambda's network interfaces of a VPC function, from the
        // Lambda developer guide's "Required IAM permissions" of "Giving Lambda functions access to resources in an Amazon
        // VPC"); EC2 has several hundred actions, not copied here, so any other ec2: action is reported until it is added.
        ["ec2"] = Split("""
            AssignPrivateIpAddresses CreateNetworkInterface DeleteNetworkInterface DescribeNetworkInterfaces DescribeSubnets
            UnassignPrivateIpAddresses
            """),
        // list_amazonbedrock.html
        ["bedrock"] = Split("""
            AllowVendedLogDeliveryForResource ApplyGuardrail AssociateAgentCollaborator AssociateAgentKnowledgeBase
            AssociateThirdPartyKnowledgeBase BatchDeleteEvaluationJob CallWithBearerToken
            CancelAutomatedReasoningPolicyBuildWorkflow CopyBlueprintStage CountTokens CreateAgent
            CreateAgentActionGroup CreateAgentAlias CreateAutomatedReasoningPolicy
            CreateAutomatedReasoningPolicyTestCase CreateAutomatedReasoningPolicyVersion CreateBlueprint
            CreateBlueprintVersion CreateCustomModel CreateCustomModelDeployment CreateDataAutomationLibrary
            CreateDataAutomationProject CreateDataSource CreateEvaluationJob CreateFlow CreateFlowAlias
            CreateFlowVersion CreateFoundationModelAgreement CreateGuardrail CreateGuardrailVersion
            CreateInferenceProfile CreateInvocation CreateKnowledgeBase CreateMarketplaceModelEndpoint
            CreateModelCopyJob CreateModelCustomizationJob CreateModelEvaluationJob CreateModelImportJob
            CreateModelInvocationJob CreatePrompt CreatePromptRouter CreatePromptVersion
            CreateProvisionedModelThroughput CreateSession DeleteAgent DeleteAgentActionGroup DeleteAgentAlias
            DeleteAgentMemory DeleteAgentVersion DeleteAutomatedReasoningPolicy
            DeleteAutomatedReasoningPolicyBuildWorkflow DeleteAutomatedReasoningPolicyTestCase DeleteBlueprint
            DeleteCustomModel DeleteCustomModelDeployment DeleteDataAutomationLibrary DeleteDataAutomationProject
            DeleteDataSource DeleteEnforcedGuardrailConfiguration DeleteFlow DeleteFlowAlias DeleteFlowVersion
            DeleteFoundationModelAgreement DeleteGuardrail DeleteImportedModel DeleteInferenceProfile
            DeleteKnowledgeBase DeleteKnowledgeBaseDocuments DeleteMarketplaceModelAgreement
            DeleteMarketplaceModelEndpoint DeleteModelInvocationLoggingConfiguration DeletePrompt DeletePromptRouter
            DeleteProvisionedModelThroughput DeleteResourcePolicy DeleteSession DeregisterMarketplaceModelEndpoint
            DetectGeneratedContent DisassociateAgentCollaborator DisassociateAgentKnowledgeBase EndSession
            ExportAutomatedReasoningPolicyVersion GenerateQuery GetAgent GetAgentActionGroup GetAgentAlias
            GetAgentCollaborator GetAgentKnowledgeBase GetAgentMemory GetAgentVersion GetAsyncInvoke
            GetAutomatedReasoningPolicy GetAutomatedReasoningPolicyAnnotations GetAutomatedReasoningPolicyBuildWorkflow
            GetAutomatedReasoningPolicyBuildWorkflowResultAssets GetAutomatedReasoningPolicyNextScenario
            GetAutomatedReasoningPolicyTestCase GetAutomatedReasoningPolicyTestResult GetBlueprint
            GetBlueprintOptimizationStatus GetBlueprintRecommendation GetCustomModel GetCustomModelDeployment
            GetDataAutomationLibrary GetDataAutomationLibraryEntity GetDataAutomationLibraryIngestionJob
            GetDataAutomationProject GetDataAutomationStatus GetDataSource GetEvaluationJob GetExecutionFlowSnapshot
            GetFlow GetFlowAlias GetFlowExecution GetFlowVersion GetFoundationModel GetFoundationModelAvailability
            GetGuardrail GetImportedModel GetInferenceProfile GetIngestionJob GetInvocationStep GetKnowledgeBase
            GetKnowledgeBaseDocuments GetMarketplaceModelEndpoint GetModelCopyJob GetModelCustomizationJob
            GetModelEvaluationJob GetModelImportJob GetModelInvocationJob GetModelInvocationLoggingConfiguration
            GetPrompt GetPromptRouter GetProvisionedModelThroughput GetResourcePolicy GetSession
            GetUseCaseForModelAccess IngestKnowledgeBaseDocuments InvokeAgent InvokeAutomatedReasoningPolicy
            InvokeBlueprintOptimizationAsync InvokeBlueprintRecommendationAsync InvokeBuilder InvokeDataAutomation
            InvokeDataAutomationAsync InvokeDataAutomationLibraryIngestionJob InvokeFlow InvokeInlineAgent InvokeModel
            InvokeModelWithResponseStream InvokeTool ListAgentActionGroups ListAgentAliases ListAgentCollaborators
            ListAgentKnowledgeBases ListAgentVersions ListAgents ListAsyncInvokes ListAutomatedReasoningPolicies
            ListAutomatedReasoningPolicyBuildWorkflows ListAutomatedReasoningPolicyTestCases
            ListAutomatedReasoningPolicyTestResults ListBlueprints ListCustomModelDeployments ListCustomModels
            ListDataAutomationLibraries ListDataAutomationLibraryEntities ListDataAutomationLibraryIngestionJobs
            ListDataAutomationProjects ListDataSources ListEnforcedGuardrailsConfiguration ListEvaluationJobs
            ListFlowAliases ListFlowExecutionEvents ListFlowExecutions ListFlowVersions ListFlows
            ListFoundationModelAgreementOffers ListFoundationModels ListGuardrails ListImportedModels
            ListInferenceProfiles ListIngestionJobs ListInvocationSteps ListInvocations ListKnowledgeBaseDocuments
            ListKnowledgeBases ListMarketplaceModelEndpoints ListModelCopyJobs ListModelCustomizationJobs
            ListModelEvaluationJobs ListModelImportJobs ListModelInvocationJobs ListPromptRouters ListPrompts
            ListProvisionedModelThroughputs ListSessions ListTagsForResource OptimizePrompt PrepareAgent PrepareFlow
            PutEnforcedGuardrailConfiguration PutFoundationModelEntitlement PutInvocationStep
            PutModelInvocationLoggingConfiguration PutResourcePolicy PutUseCaseForModelAccess
            RegisterMarketplaceModelEndpoint RenderPrompt Rerank Retrieve RetrieveAndGenerate
            StartAutomatedReasoningPolicyBuildWorkflow StartAutomatedReasoningPolicyTestWorkflow StartFlowExecution
            StartIngestionJob StopEvaluationJob StopFlowExecution StopIngestionJob StopModelCustomizationJob
            StopModelInvocationJob TagResource UntagResource UpdateAgent UpdateAgentActionGroup UpdateAgentAlias
            UpdateAgentCollaborator UpdateAgentKnowledgeBase UpdateAutomatedReasoningPolicy
            UpdateAutomatedReasoningPolicyAnnotations UpdateAutomatedReasoningPolicyTestCase UpdateBlueprint
            UpdateCustomModelDeployment UpdateDataAutomationLibrary UpdateDataAutomationProject UpdateDataSource
            UpdateFlow UpdateFlowAlias UpdateGuardrail UpdateKnowledgeBase UpdateMarketplaceModelEndpoint UpdatePrompt
            UpdateProvisionedModelThroughput UpdateSession ValidateFlowDefinition
            """),
        // list_amazoncloudwatch.html
        ["cloudwatch"] = Split("""
            BatchGetServiceLevelIndicatorReport BatchGetServiceLevelObjectiveBudgetReport CallWithBearerToken
            CreateServiceLevelObjective DeleteAlarmMuteRule DeleteAlarms DeleteAnomalyDetector DeleteDashboards
            DeleteInsightRules DeleteMetricStream DeleteServiceLevelObjective DescribeAlarmHistory DescribeAlarms
            DescribeAlarmsForMetric DescribeAnomalyDetectors DescribeInsightRules DisableAlarmActions
            DisableInsightRules EnableAlarmActions EnableInsightRules EnableTopologyDiscovery GenerateQuery
            GenerateQueryResultsSummary GetAlarmMuteRule GetDashboard GetInsightRuleReport GetMetricData
            GetMetricStatistics GetMetricStream GetMetricWidgetImage GetOTelEnrichment GetService GetServiceData
            GetServiceLevelObjective GetTopologyDiscoveryStatus GetTopologyMap Link ListAlarmMuteRules ListDashboards
            ListEntitiesForMetric ListManagedInsightRules ListMetricStreams ListMetrics ListServiceLevelObjectives
            ListServices ListTagsForResource PutAlarmMuteRule PutAnomalyDetector PutCompositeAlarm PutDashboard
            PutInsightRule PutManagedInsightRules PutMetricAlarm PutMetricData PutMetricStream SetAlarmState
            StartMetricStreams StartOTelEnrichment StopMetricStreams StopOTelEnrichment TagResource UntagResource
            UpdateServiceLevelObjective
            """),
        // list_amazondynamodb.html
        ["dynamodb"] = Split("""
            AssociateTableReplica BatchGetItem BatchWriteItem ConditionCheckItem CreateBackup CreateGlobalTable
            CreateGlobalTableWitness CreateTable CreateTableReplica DeleteBackup DeleteGlobalTableWitness DeleteItem
            DeleteResourcePolicy DeleteTable DeleteTableReplica DescribeBackup DescribeContinuousBackups
            DescribeContributorInsights DescribeEndpoints DescribeExport DescribeGlobalTable DescribeGlobalTableSettings
            DescribeImport DescribeKinesisStreamingDestination DescribeLimits DescribeReservedCapacity
            DescribeReservedCapacityOfferings DescribeStream DescribeTable DescribeTableReplicaAutoScaling
            DescribeTimeToLive DisableKinesisStreamingDestination EnableKinesisStreamingDestination
            ExportTableToPointInTime GetAbacStatus GetItem GetRecords GetResourcePolicy GetShardIterator ImportTable
            InjectError ListBackups ListContributorInsights ListExports ListGlobalTables ListImports ListStreams
            ListTables ListTagsOfResource PartiQLDelete PartiQLInsert PartiQLSelect PartiQLUpdate
            PurchaseReservedCapacityOfferings PutItem PutResourcePolicy Query ReadDataForReplication ReplicateSettings
            RestoreTableFromAwsBackup RestoreTableFromBackup RestoreTableToPointInTime Scan StartAwsBackupJob
            TagResource UntagResource UpdateAbacStatus UpdateContinuousBackups UpdateContributorInsights
            UpdateGlobalTable UpdateGlobalTableSettings UpdateGlobalTableVersion UpdateItem
            UpdateKinesisStreamingDestination UpdateTable UpdateTableReplicaAutoScaling UpdateTimeToLive
            WriteDataForReplication
            """),
        // list_amazoneventbridge.html
        ["events"] = Split("""
            ActivateEventSource AllowVendedLogDeliveryForResource CancelReplay CreateApiDestination CreateArchive
            CreateConnection CreateEndpoint CreateEventBus CreatePartnerEventSource DeactivateEventSource
            DeauthorizeConnection DeleteApiDestination DeleteArchive DeleteConnection DeleteEndpoint DeleteEventBus
            DeletePartnerEventSource DeleteRule DescribeApiDestination DescribeArchive DescribeConnection
            DescribeEndpoint DescribeEventBus DescribeEventSource DescribePartnerEventSource DescribeReplay DescribeRule
            DisableRule EnableRule InvokeApiDestination ListApiDestinations ListArchives ListConnections ListEndpoints
            ListEventBuses ListEventSources ListPartnerEventSourceAccounts ListPartnerEventSources ListReplays
            ListRuleNamesByTarget ListRules ListTagsForResource ListTargetsByRule PutEvents PutPartnerEvents
            PutPermission PutRule PutTargets RemovePermission RemoveTargets RetrieveConnectionCredentials StartReplay
            TagResource TestEventPattern UntagResource UpdateApiDestination UpdateArchive UpdateConnection
            UpdateEndpoint UpdateEventBus
            """),
        // list_awsidentityandaccessmanagementiam.html
        ["iam"] = Split("""
            AcceptDelegationRequest AddClientIDToOpenIDConnectProvider AddRoleToInstanceProfile AddUserToGroup
            AssociateDelegationRequest AttachGroupPolicy AttachRolePolicy AttachUserPolicy ChangePassword
            CreateAccessKey CreateAccountAlias CreateDelegationRequest CreateGroup CreateInstanceProfile
            CreateLoginProfile CreateOpenIDConnectProvider CreatePolicy CreatePolicyVersion CreateRole
            CreateSAMLProvider CreateServiceLinkedRole CreateServiceSpecificCredential CreateUser CreateVirtualMFADevice
            DeactivateMFADevice DeleteAccessKey DeleteAccountAlias DeleteAccountPasswordPolicy DeleteCloudFrontPublicKey
            DeleteGroup DeleteGroupPolicy DeleteInstanceProfile DeleteLoginProfile DeleteOpenIDConnectProvider
            DeletePolicy DeletePolicyVersion DeleteRole DeleteRolePermissionsBoundary DeleteRolePolicy
            DeleteSAMLProvider DeleteSSHPublicKey DeleteServerCertificate DeleteServiceLinkedRole
            DeleteServiceSpecificCredential DeleteSigningCertificate DeleteUser DeleteUserPermissionsBoundary
            DeleteUserPolicy DeleteVirtualMFADevice DetachGroupPolicy DetachRolePolicy DetachUserPolicy
            DisableOrganizationsRootCredentialsManagement DisableOrganizationsRootSessions
            DisableOutboundWebIdentityFederation EnableMFADevice EnableOrganizationsRootCredentialsManagement
            EnableOrganizationsRootSessions EnableOutboundWebIdentityFederation GenerateCredentialReport
            GenerateOrganizationsAccessReport GenerateServiceLastAccessedDetails GetAccessKeyLastUsed
            GetAccountAuthorizationDetails GetAccountEmailAddress GetAccountName GetAccountPasswordPolicy
            GetAccountSummary GetCloudFrontPublicKey GetContextKeysForCustomPolicy GetContextKeysForPrincipalPolicy
            GetCredentialReport GetDelegationRequest GetGroup GetGroupPolicy GetHumanReadableSummary GetInstanceProfile
            GetLoginProfile GetMFADevice GetOpenIDConnectProvider GetOrganizationsAccessReport
            GetOutboundWebIdentityFederationInfo GetPolicy GetPolicyVersion GetRole GetRolePolicy GetSAMLProvider
            GetSSHPublicKey GetServerCertificate GetServiceLastAccessedDetails GetServiceLastAccessedDetailsWithEntities
            GetServiceLinkedRoleDeletionStatus GetUser GetUserPolicy ListAccessKeys ListAccountAliases
            ListAttachedGroupPolicies ListAttachedRolePolicies ListAttachedUserPolicies ListCloudFrontPublicKeys
            ListDelegationRequests ListEntitiesForPolicy ListGroupPolicies ListGroups ListGroupsForUser
            ListInstanceProfileTags ListInstanceProfiles ListInstanceProfilesForRole ListMFADeviceTags ListMFADevices
            ListOpenIDConnectProviderTags ListOpenIDConnectProviders ListOrganizationsFeatures ListPolicies
            ListPoliciesGrantingServiceAccess ListPolicyTags ListPolicyVersions ListRolePolicies ListRoleTags ListRoles
            ListSAMLProviderTags ListSAMLProviders ListSSHPublicKeys ListSTSRegionalEndpointsStatus
            ListServerCertificateTags ListServerCertificates ListServiceSpecificCredentials ListSigningCertificates
            ListUserPolicies ListUserTags ListUsers ListVirtualMFADevices PassRole PutGroupPolicy
            PutRolePermissionsBoundary PutRolePolicy PutUserPermissionsBoundary PutUserPolicy RejectDelegationRequest
            RemoveClientIDFromOpenIDConnectProvider RemoveRoleFromInstanceProfile RemoveUserFromGroup
            ResetServiceSpecificCredential ResyncMFADevice SendDelegationToken SetDefaultPolicyVersion
            SetSTSRegionalEndpointStatus SetSecurityTokenServicePreferences SimulateCustomPolicy SimulatePrincipalPolicy
            TagInstanceProfile TagMFADevice TagOpenIDConnectProvider TagPolicy TagRole TagSAMLProvider
            TagServerCertificate TagUser UntagInstanceProfile UntagMFADevice UntagOpenIDConnectProvider UntagPolicy
            UntagRole UntagSAMLProvider UntagServerCertificate UntagUser UpdateAccessKey UpdateAccountEmailAddress
            UpdateAccountName UpdateAccountPasswordPolicy UpdateAssumeRolePolicy UpdateCloudFrontPublicKey UpdateGroup
            UpdateLoginProfile UpdateOpenIDConnectProviderThumbprint UpdateRole UpdateRoleDescription UpdateSAMLProvider
            UpdateSSHPublicKey UpdateServerCertificate UpdateServiceSpecificCredential UpdateSigningCertificate
            UpdateUser UploadCloudFrontPublicKey UploadSSHPublicKey UploadServerCertificate UploadSigningCertificate
            """),
        // list_amazonkinesisdatastreams.html
        ["kinesis"] = Split("""
            AddTagsToStream CreateStream DecreaseStreamRetentionPeriod DeleteResourcePolicy DeleteStream
            DeregisterStreamConsumer DescribeAccountSettings DescribeLimits DescribeStream DescribeStreamConsumer
            DescribeStreamSummary DisableEnhancedMonitoring EnableEnhancedMonitoring GetRecords GetResourcePolicy
            GetShardIterator IncreaseStreamRetentionPeriod InjectApiError ListShards ListStreamConsumers ListStreams
            ListTagsForResource ListTagsForStream MergeShards PutRecord PutRecords PutResourcePolicy
            RegisterStreamConsumer RemoveTagsFromStream SplitShard StartStreamEncryption StopStreamEncryption
            SubscribeToShard TagResource UntagResource UpdateAccountSettings UpdateMaxRecordSize UpdateShardCount
            UpdateStreamMode UpdateStreamWarmThroughput
            """),
        // list_awskeymanagementservice.html
        ["kms"] = Split("""
            CancelKeyDeletion ConnectCustomKeyStore CreateAlias CreateCustomKeyStore CreateGrant CreateKey Decrypt
            DeleteAlias DeleteCustomKeyStore DeleteImportedKeyMaterial DeriveSharedSecret DescribeCustomKeyStores
            DescribeKey DisableKey DisableKeyRotation DisconnectCustomKeyStore EnableKey EnableKeyRotation Encrypt
            GenerateDataKey GenerateDataKeyPair GenerateDataKeyPairWithoutPlaintext GenerateDataKeyWithoutPlaintext
            GenerateMac GenerateRandom GetKeyLastUsage GetKeyPolicy GetKeyRotationStatus GetParametersForImport
            GetPublicKey ImportKeyMaterial ListAliases ListGrants ListKeyPolicies ListKeyRotations ListKeys
            ListResourceTags ListRetirableGrants PutKeyPolicy ReEncryptFrom ReEncryptTo ReplicateKey RetireGrant
            RevokeGrant RotateKeyOnDemand ScheduleKeyDeletion Sign SynchronizeMultiRegionKey TagResource UntagResource
            UpdateAlias UpdateCustomKeyStore UpdateKeyDescription UpdatePrimaryRegion Verify VerifyMac
            """),
        // list_awslambda.html
        ["lambda"] = Split("""
            AddLayerVersionPermission AddPermission CheckpointDurableExecution CreateAlias CreateCapacityProvider
            CreateCodeSigningConfig CreateEventSourceMapping CreateFunction CreateFunctionUrlConfig DeleteAlias
            DeleteCapacityProvider DeleteCodeSigningConfig DeleteEventSourceMapping DeleteFunction
            DeleteFunctionCodeSigningConfig DeleteFunctionConcurrency DeleteFunctionEventInvokeConfig
            DeleteFunctionUrlConfig DeleteLayerVersion DeleteProvisionedConcurrencyConfig DisableReplication
            EnableReplication GetAccountSettings GetAlias GetCapacityProvider GetCodeSigningConfig GetDurableExecution
            GetDurableExecutionHistory GetDurableExecutionState GetEventSourceMapping GetFunction
            GetFunctionCodeSigningConfig GetFunctionConcurrency GetFunctionConfiguration GetFunctionEventInvokeConfig
            GetFunctionRecursionConfig GetFunctionScalingConfig GetFunctionUrlConfig GetLayerVersion
            GetLayerVersionPolicy GetPolicy GetProvisionedConcurrencyConfig GetRuntimeManagementConfig InvokeAsync
            InvokeFunction InvokeFunctionUrl ListAliases ListCapacityProviders ListCodeSigningConfigs
            ListDurableExecutionsByFunction ListEventSourceMappings ListFunctionEventInvokeConfigs
            ListFunctionUrlConfigs ListFunctionVersionsByCapacityProvider ListFunctions ListFunctionsByCodeSigningConfig
            ListLayerVersions ListLayers ListProvisionedConcurrencyConfigs ListTags ListVersionsByFunction
            PassCapacityProvider PublishLayerVersion PublishVersion PutFunctionCodeSigningConfig PutFunctionConcurrency
            PutFunctionEventInvokeConfig PutFunctionRecursionConfig PutFunctionScalingConfig
            PutProvisionedConcurrencyConfig PutRuntimeManagementConfig RemoveLayerVersionPermission RemovePermission
            SendDurableExecutionCallbackFailure SendDurableExecutionCallbackHeartbeat
            SendDurableExecutionCallbackSuccess StopDurableExecution TagResource UntagResource UpdateAlias
            UpdateCapacityProvider UpdateCodeSigningConfig UpdateEventSourceMapping UpdateFunctionCode
            UpdateFunctionCodeSigningConfig UpdateFunctionConfiguration UpdateFunctionEventInvokeConfig
            UpdateFunctionUrlConfig
            """),
        // list_amazoncloudwatchlogs.html
        ["logs"] = Split("""
            AssociateKmsKey AssociateSourceToS3TableIntegration CallWithBearerToken CancelExportTask CancelImportTask
            CreateDelivery CreateExportTask CreateImportTask CreateLogAnomalyDetector CreateLogDelivery CreateLogGroup
            CreateLogStream CreateLookupTable CreateScheduledQuery DeleteAccountPolicy DeleteDataProtectionPolicy
            DeleteDelivery DeleteDeliveryDestination DeleteDeliveryDestinationPolicy DeleteDeliverySource
            DeleteDestination DeleteIndexPolicy DeleteIntegration DeleteLogAnomalyDetector DeleteLogDelivery
            DeleteLogGroup DeleteLogStream DeleteLookupTable DeleteMetricFilter DeletePipelineRule DeleteQueryDefinition
            DeleteResourcePolicy DeleteRetentionPolicy DeleteScheduledQuery DeleteSubscriptionFilter DeleteTransformer
            DescribeAccountPolicies DescribeConfigurationTemplates DescribeDeliveries DescribeDeliveryDestinations
            DescribeDeliverySources DescribeDestinations DescribeExportTasks DescribeFieldIndexes
            DescribeImportTaskBatches DescribeImportTasks DescribeIndexPolicies DescribeLogGroups DescribeLogStreams
            DescribeLookupTables DescribeMetricFilters DescribeQueries DescribeQueryDefinitions DescribeResourcePolicies
            DescribeSubscriptionFilters DisassociateKmsKey DisassociateSourceFromS3TableIntegration FilterLogEvents
            GetDataProtectionPolicy GetDelivery GetDeliveryDestination GetDeliveryDestinationPolicy GetDeliverySource
            GetIntegration GetLogAnomalyDetector GetLogDelivery GetLogEvents GetLogFields GetLogGroupFields GetLogRecord
            GetLookupTable GetQueryResults GetScheduledQuery GetScheduledQueryHistory GetTransformer
            IntegrateWithS3Table Link ListAggregateLogGroupSummaries ListAnomalies ListEntitiesForLogGroup
            ListIntegrations ListLogAnomalyDetectors ListLogDeliveries ListLogGroups ListLogGroupsForEntity
            ListLogGroupsForQuery ListScheduledQueries ListSourcesForS3TableIntegration ListTagsForResource
            ListTagsLogGroup ProcessWithPipeline PutAccountPolicy PutBearerTokenAuthentication PutDataProtectionPolicy
            PutDeliveryDestination PutDeliveryDestinationPolicy PutDeliverySource PutDestination PutDestinationPolicy
            PutIndexPolicy PutIntegration PutLogEvents PutLogGroupDeletionProtection PutMetricFilter PutPipelineRule
            PutQueryDefinition PutResourcePolicy PutRetentionPolicy PutSubscriptionFilter PutTransformer StartLiveTail
            StartQuery StopLiveTail StopQuery TagLogGroup TagResource TestMetricFilter TestTransformer Unmask
            UntagLogGroup UntagResource UpdateAnomaly UpdateDeliveryConfiguration UpdateLogAnomalyDetector
            UpdateLogDelivery UpdateLookupTable UpdateScheduledQuery
            """),
        // list_amazoneventbridgepipes.html
        ["pipes"] = Split("""
            CreatePipe DeletePipe DescribePipe ListPipes ListTagsForResource StartPipe StopPipe TagResource
            UntagResource UpdatePipe
            """),
        // list_amazons3.html
        ["s3"] = Split("""
            AbortMultipartUpload AssociateAccessGrantsIdentityCenter BypassGovernanceRetention CreateAccessGrant
            CreateAccessGrantsInstance CreateAccessGrantsLocation CreateAccessPoint CreateAccessPointForObjectLambda
            CreateBucket CreateBucketMetadataTableConfiguration CreateJob CreateMultiRegionAccessPoint
            CreateStorageLensGroup DeleteAccessGrant DeleteAccessGrantsInstance DeleteAccessGrantsInstanceResourcePolicy
            DeleteAccessGrantsLocation DeleteAccessPoint DeleteAccessPointForObjectLambda DeleteAccessPointPolicy
            DeleteAccessPointPolicyForObjectLambda DeleteBucket DeleteBucketMetadataTableConfiguration
            DeleteBucketPolicy DeleteBucketWebsite DeleteJobTagging DeleteMultiRegionAccessPoint DeleteObject
            DeleteObjectTagging DeleteObjectVersion DeleteObjectVersionTagging DeleteStorageLensConfiguration
            DeleteStorageLensConfigurationTagging DeleteStorageLensGroup DescribeJob
            DescribeMultiRegionAccessPointOperation DissociateAccessGrantsIdentityCenter GetAccelerateConfiguration
            GetAccessGrant GetAccessGrantsInstance GetAccessGrantsInstanceForPrefix
            GetAccessGrantsInstanceResourcePolicy GetAccessGrantsLocation GetAccessPoint
            GetAccessPointConfigurationForObjectLambda GetAccessPointForObjectLambda GetAccessPointPolicy
            GetAccessPointPolicyForObjectLambda GetAccessPointPolicyStatus GetAccessPointPolicyStatusForObjectLambda
            GetAccountPublicAccessBlock GetAnalyticsConfiguration GetBucketAbac GetBucketAcl GetBucketCORS
            GetBucketLocation GetBucketLogging GetBucketMetadataTableConfiguration GetBucketNotification
            GetBucketObjectLockConfiguration GetBucketOwnershipControls GetBucketPolicy GetBucketPolicyStatus
            GetBucketPublicAccessBlock GetBucketRequestPayment GetBucketTagging GetBucketVersioning GetBucketWebsite
            GetDataAccess GetEncryptionConfiguration GetIntelligentTieringConfiguration GetInventoryConfiguration
            GetJobTagging GetLifecycleConfiguration GetMetricsConfiguration GetMultiRegionAccessPoint
            GetMultiRegionAccessPointPolicy GetMultiRegionAccessPointPolicyStatus GetMultiRegionAccessPointRoutes
            GetObject GetObjectAcl GetObjectAttributes GetObjectLegalHold GetObjectRetention GetObjectTagging
            GetObjectTorrent GetObjectVersion GetObjectVersionAcl GetObjectVersionAttributes
            GetObjectVersionForReplication GetObjectVersionTagging GetObjectVersionTorrent GetReplicationConfiguration
            GetStorageLensConfiguration GetStorageLensConfigurationTagging GetStorageLensDashboard GetStorageLensGroup
            InitiateReplication ListAccessGrants ListAccessGrantsInstances ListAccessGrantsLocations ListAccessPoints
            ListAccessPointsForObjectLambda ListAllMyBuckets ListBucket ListBucketMultipartUploads ListBucketVersions
            ListCallerAccessGrants ListJobs ListMultiRegionAccessPoints ListMultipartUploadParts
            ListStorageLensConfigurations ListStorageLensGroups ListTagsForResource ObjectOwnerOverrideToBucketOwner
            PauseReplication PutAccelerateConfiguration PutAccessGrantsInstanceResourcePolicy
            PutAccessPointConfigurationForObjectLambda PutAccessPointPolicy PutAccessPointPolicyForObjectLambda
            PutAccessPointPublicAccessBlock PutAccountPublicAccessBlock PutAnalyticsConfiguration PutBucketAbac
            PutBucketAcl PutBucketCORS PutBucketLogging PutBucketNotification PutBucketObjectLockConfiguration
            PutBucketOwnershipControls PutBucketPolicy PutBucketPublicAccessBlock PutBucketRequestPayment
            PutBucketTagging PutBucketVersioning PutBucketWebsite PutEncryptionConfiguration
            PutIntelligentTieringConfiguration PutInventoryConfiguration PutJobTagging PutLifecycleConfiguration
            PutMetricsConfiguration PutMultiRegionAccessPointPolicy PutObject PutObjectAcl PutObjectLegalHold
            PutObjectRetention PutObjectTagging PutObjectVersionAcl PutObjectVersionTagging PutReplicationConfiguration
            PutStorageLensConfiguration PutStorageLensConfigurationTagging ReplicateDelete ReplicateObject ReplicateTags
            RestoreObject SubmitMultiRegionAccessPointRoutes TagResource UntagResource UpdateAccessGrantsLocation
            UpdateBucketMetadataInventoryTableConfiguration UpdateBucketMetadataJournalTableConfiguration
            UpdateJobPriority UpdateJobStatus UpdateObjectEncryption UpdateStorageLensGroup
            """),
        // list_amazonsns.html
        ["sns"] = Split("""
            AddPermission CheckIfPhoneNumberIsOptedOut ConfirmSubscription CreatePlatformApplication
            CreatePlatformEndpoint CreateSMSSandboxPhoneNumber CreateTopic DeleteEndpoint DeletePlatformApplication
            DeleteSMSSandboxPhoneNumber DeleteTopic GetDataProtectionPolicy GetEndpointAttributes
            GetPlatformApplicationAttributes GetSMSAttributes GetSMSSandboxAccountStatus GetSubscriptionAttributes
            GetTopicAttributes ListEndpointsByPlatformApplication ListOriginationNumbers ListPhoneNumbersOptedOut
            ListPlatformApplications ListSMSSandboxPhoneNumbers ListSubscriptions ListSubscriptionsByTopic
            ListTagsForResource ListTopics OptInPhoneNumber Publish PutDataProtectionPolicy RemovePermission
            SetEndpointAttributes SetPlatformApplicationAttributes SetSMSAttributes SetSubscriptionAttributes
            SetTopicAttributes Subscribe TagResource Unsubscribe UntagResource VerifySMSSandboxPhoneNumber
            """),
        // list_amazonsqs.html
        ["sqs"] = Split("""
            AddPermission CancelMessageMoveTask ChangeMessageVisibility CreateQueue DeleteMessage DeleteQueue
            GetQueueAttributes GetQueueUrl ListDeadLetterSourceQueues ListMessageMoveTasks ListQueueTags ListQueues
            PurgeQueue ReceiveMessage RemovePermission SendMessage SetQueueAttributes StartMessageMoveTask TagQueue
            UntagQueue
            """),
        // list_awssecuritytokenservice.html
        ["sts"] = Split("""
            AssumeRole AssumeRoleWithSAML AssumeRoleWithWebIdentity AssumeRoot DecodeAuthorizationMessage
            GetAccessKeyInfo GetCallerIdentity GetDelegatedAccessToken GetFederationToken GetServiceBearerToken
            GetSessionToken GetWebIdentityToken SetContext SetSourceIdentity TagGetWebIdentityToken TagSession
            """),
        // list_awsx-ray.html
        ["xray"] = Split("""
            BatchGetTraceSummaryById BatchGetTraces CancelTraceRetrieval CreateGroup CreateSamplingRule DeleteGroup
            DeleteResourcePolicy DeleteSamplingRule GetDistinctTraceGraphs GetEncryptionConfig GetGroup GetGroups
            GetIndexingRules GetInsight GetInsightEvents GetInsightImpactGraph GetInsightSummaries
            GetRetrievedTracesGraph GetSamplingRules GetSamplingStatisticSummaries GetSamplingTargets GetServiceGraph
            GetTimeSeriesServiceStatistics GetTraceGraph GetTraceSegmentDestination GetTraceSummaries Link
            ListResourcePolicies ListRetrievedTraces ListTagsForResource PutEncryptionConfig PutResourcePolicy PutSpans
            PutSpansForIndexing PutTelemetryRecords PutTraceSegments StartTraceRetrieval TagResource UntagResource
            UpdateGroup UpdateIndexingRule UpdateSamplingRule UpdateTraceSegmentDestination
            """),
    };

    private static IReadOnlyList<string> Split(string names) =>
        names.Split((char[])[' ', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
}
