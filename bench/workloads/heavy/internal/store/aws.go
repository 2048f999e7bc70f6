package store

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/google/uuid"

	"example.com/gofront/bench/heavy/internal/config"
)

// lazyAWS loads the shared AWS configuration (environment, shared files,
// IMDS) on first use and builds the S3 and DynamoDB clients from it.
type lazyAWS struct {
	cfg  config.AWS
	once sync.Once
	err  error
	s3   *s3.Client
	ddb  *dynamodb.Client
}

func newLazyAWS(c config.AWS) *lazyAWS { return &lazyAWS{cfg: c} }

func (l *lazyAWS) load(ctx context.Context) error {
	l.once.Do(func() {
		ac, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(l.cfg.Region))
		if err != nil {
			l.err = fmt.Errorf("aws config: %w", err)
			return
		}
		l.s3 = s3.NewFromConfig(ac, func(o *s3.Options) {
			o.UsePathStyle = l.cfg.UsePathURLs
			if l.cfg.Endpoint != "" {
				o.BaseEndpoint = aws.String(l.cfg.Endpoint)
			}
		})
		l.ddb = dynamodb.NewFromConfig(ac, func(o *dynamodb.Options) {
			if l.cfg.Endpoint != "" {
				o.BaseEndpoint = aws.String(l.cfg.Endpoint)
			}
		})
	})
	return l.err
}

// Blobs stores note attachments in an S3 bucket.
type Blobs struct {
	aws    *lazyAWS
	bucket string
}

// Put uploads body as the attachment of note id and returns its key.
func (b *Blobs) Put(ctx context.Context, id uuid.UUID, contentType string, body []byte) (string, error) {
	if err := b.aws.load(ctx); err != nil {
		return "", err
	}
	key := "attachments/" + id.String()
	_, err := b.aws.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket:      aws.String(b.bucket),
		Key:         aws.String(key),
		Body:        bytes.NewReader(body),
		ContentType: aws.String(contentType),
		Metadata:    map[string]string{"note-id": id.String()},
	})
	return key, err
}

// Get downloads the object at key.
func (b *Blobs) Get(ctx context.Context, key string) ([]byte, string, error) {
	if err := b.aws.load(ctx); err != nil {
		return nil, "", err
	}
	out, err := b.aws.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)})
	if err != nil {
		return nil, "", err
	}
	defer out.Body.Close()
	data, err := io.ReadAll(io.LimitReader(out.Body, 8<<20))
	return data, aws.ToString(out.ContentType), err
}

// PresignGet returns a time-limited download URL for key.
func (b *Blobs) PresignGet(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := b.aws.load(ctx); err != nil {
		return "", err
	}
	req, err := s3.NewPresignClient(b.aws.s3).PresignGetObject(ctx,
		&s3.GetObjectInput{Bucket: aws.String(b.bucket), Key: aws.String(key)},
		s3.WithPresignExpires(ttl))
	if err != nil {
		return "", err
	}
	return req.URL, nil
}

// Audit appends note events to a DynamoDB table keyed by (note_id, at).
type Audit struct {
	aws   *lazyAWS
	table string
}

// Event is one audit record.
type Event struct {
	NoteID string    `json:"note_id"`
	At     time.Time `json:"at"`
	Action string    `json:"action"`
}

// Record writes one event.
func (a *Audit) Record(ctx context.Context, id uuid.UUID, action string) error {
	if err := a.aws.load(ctx); err != nil {
		return err
	}
	now := time.Now().UTC()
	_, err := a.aws.ddb.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: aws.String(a.table),
		Item: map[string]types.AttributeValue{
			"note_id": &types.AttributeValueMemberS{Value: id.String()},
			"at":      &types.AttributeValueMemberN{Value: strconv.FormatInt(now.UnixNano(), 10)},
			"action":  &types.AttributeValueMemberS{Value: action},
		},
	})
	return err
}

// History returns the newest events of note id.
func (a *Audit) History(ctx context.Context, id uuid.UUID, limit int32) ([]Event, error) {
	if err := a.aws.load(ctx); err != nil {
		return nil, err
	}
	out, err := a.aws.ddb.Query(ctx, &dynamodb.QueryInput{
		TableName:              aws.String(a.table),
		KeyConditionExpression: aws.String("note_id = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":id": &types.AttributeValueMemberS{Value: id.String()},
		},
		ScanIndexForward: aws.Bool(false),
		Limit:            aws.Int32(limit),
	})
	if err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(out.Items))
	for _, item := range out.Items {
		var e Event
		if v, ok := item["note_id"].(*types.AttributeValueMemberS); ok {
			e.NoteID = v.Value
		}
		if v, ok := item["action"].(*types.AttributeValueMemberS); ok {
			e.Action = v.Value
		}
		if v, ok := item["at"].(*types.AttributeValueMemberN); ok {
			if ns, err := strconv.ParseInt(v.Value, 10, 64); err == nil {
				e.At = time.Unix(0, ns).UTC()
			}
		}
		events = append(events, e)
	}
	return events, nil
}
