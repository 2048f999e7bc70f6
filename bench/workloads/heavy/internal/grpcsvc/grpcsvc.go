// Package grpcsvc is the gRPC side of the service: the standard health
// service, server reflection, and a small hand-registered Notes service
// whose messages are protobuf well-known types (no generated code).
package grpcsvc

import (
	"context"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/reflection"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"example.com/gofront/bench/heavy/internal/store"
)

// ServiceName is the full name of the hand-registered service.
const ServiceName = "heavy.v1.Notes"

// Server wraps a grpc.Server and its health service.
type Server struct {
	GRPC   *grpc.Server
	health *health.Server
}

// Interceptors is implemented by *metrics.Metrics.
type Interceptors interface {
	UnaryInterceptor() grpc.UnaryServerInterceptor
	StreamInterceptor() grpc.StreamServerInterceptor
}

// New builds the gRPC server. It listens on nothing: the HTTP server hands
// it HTTP/2 requests whose content type is application/grpc.
func New(st *store.Store, version string, ic Interceptors) *Server {
	gs := grpc.NewServer(
		grpc.ChainUnaryInterceptor(ic.UnaryInterceptor(), requestID),
		grpc.ChainStreamInterceptor(ic.StreamInterceptor()),
		grpc.MaxRecvMsgSize(4<<20),
	)
	hs := health.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	gs.RegisterService(&notesDesc, &notesService{store: st, version: version})
	reflection.Register(gs)
	hs.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus(ServiceName, healthpb.HealthCheckResponse_SERVING)
	return &Server{GRPC: gs, health: hs}
}

// SetServing flips the health status reported for every service.
func (s *Server) SetServing(ok bool) {
	st := healthpb.HealthCheckResponse_NOT_SERVING
	if ok {
		st = healthpb.HealthCheckResponse_SERVING
	}
	s.health.SetServingStatus("", st)
	s.health.SetServingStatus(ServiceName, st)
}

// Stop marks the server as shutting down and stops it.
func (s *Server) Stop() {
	s.health.Shutdown()
	s.GRPC.Stop()
}

// requestID echoes the caller's x-request-id back as a header.
func requestID(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if md, ok := metadata.FromIncomingContext(ctx); ok {
		if ids := md.Get("x-request-id"); len(ids) > 0 {
			_ = grpc.SetHeader(ctx, metadata.Pairs("x-request-id", ids[0]))
		}
	}
	return handler(ctx, req)
}

type notesServer interface {
	Version(context.Context, *emptypb.Empty) (*wrapperspb.StringValue, error)
	Count(context.Context, *emptypb.Empty) (*wrapperspb.Int64Value, error)
	Describe(context.Context, *wrapperspb.StringValue) (*structpb.Struct, error)
}

type notesService struct {
	store   *store.Store
	version string
}

func (n *notesService) Version(context.Context, *emptypb.Empty) (*wrapperspb.StringValue, error) {
	return wrapperspb.String(n.version), nil
}

func (n *notesService) Count(ctx context.Context, _ *emptypb.Empty) (*wrapperspb.Int64Value, error) {
	notes, err := n.store.Notes.List(ctx, 0)
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	return wrapperspb.Int64(int64(len(notes))), nil
}

func (n *notesService) Describe(_ context.Context, in *wrapperspb.StringValue) (*structpb.Struct, error) {
	if strings.TrimSpace(in.GetValue()) == "" {
		return nil, status.Error(codes.InvalidArgument, "empty input")
	}
	return structpb.NewStruct(map[string]any{
		"input":   in.GetValue(),
		"words":   float64(len(strings.Fields(in.GetValue()))),
		"backend": n.store.Notes.Name(),
		"version": n.version,
	})
}

// unary adapts one method of notesServer to a grpc.MethodDesc, the job
// protoc-gen-go-grpc would do in generated code.
func unary[Req any](method string, call func(notesServer, context.Context, *Req) (any, error)) grpc.MethodDesc {
	return grpc.MethodDesc{
		MethodName: method,
		Handler: func(srv any, ctx context.Context, dec func(any) error, ic grpc.UnaryServerInterceptor) (any, error) {
			in := new(Req)
			if err := dec(in); err != nil {
				return nil, err
			}
			h := func(ctx context.Context, req any) (any, error) {
				return call(srv.(notesServer), ctx, req.(*Req))
			}
			if ic == nil {
				return h(ctx, in)
			}
			return ic(ctx, in, &grpc.UnaryServerInfo{Server: srv, FullMethod: "/" + ServiceName + "/" + method}, h)
		},
	}
}

var notesDesc = grpc.ServiceDesc{
	ServiceName: ServiceName,
	HandlerType: (*notesServer)(nil),
	Methods: []grpc.MethodDesc{
		unary("Version", func(s notesServer, ctx context.Context, in *emptypb.Empty) (any, error) {
			return s.Version(ctx, in)
		}),
		unary("Count", func(s notesServer, ctx context.Context, in *emptypb.Empty) (any, error) {
			return s.Count(ctx, in)
		}),
		unary("Describe", func(s notesServer, ctx context.Context, in *wrapperspb.StringValue) (any, error) {
			return s.Describe(ctx, in)
		}),
	},
	Metadata: "heavy/v1/notes.proto",
}
