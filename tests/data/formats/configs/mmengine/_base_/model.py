data_root = 'data/coco/'
model = dict(
    type='FasterRCNN',
    backbone=dict(type='ResNet', depth=50, num_stages=4, out_indices=(0, 1, 2, 3)),
    roi_head=dict(bbox_head=dict(num_classes=80, loss_bbox=dict(type='L1Loss', loss_weight=1.0))),
)
train_dataloader = dict(batch_size=2, num_workers=2, dataset=dict(ann_file=data_root + 'annotations/train.json'))
