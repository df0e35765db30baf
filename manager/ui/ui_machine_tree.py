# -*- coding: utf-8 -*-

################################################################################
## Form generated from reading UI file 'machine_tree.ui'
##
## Created by: Qt User Interface Compiler version 6.11.3
##
## WARNING! All changes made in this file will be lost when recompiling UI file!
################################################################################

from PySide6.QtCore import (QCoreApplication, QDate, QDateTime, QLocale,
    QMetaObject, QObject, QPoint, QRect,
    QSize, QTime, QUrl, Qt)
from PySide6.QtGui import (QBrush, QColor, QConicalGradient, QCursor,
    QFont, QFontDatabase, QGradient, QIcon,
    QImage, QKeySequence, QLinearGradient, QPainter,
    QPalette, QPixmap, QRadialGradient, QTransform)
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHeaderView, QLabel,
    QPushButton, QSizePolicy, QTreeView, QVBoxLayout,
    QWidget)

class Ui_MachineTree(object):
    def setupUi(self, MachineTree):
        if not MachineTree.objectName():
            MachineTree.setObjectName(u"MachineTree")
        MachineTree.resize(320, 420)
        self.layout = QVBoxLayout(MachineTree)
        self.layout.setObjectName(u"layout")
        self.layout.setContentsMargins(2, 2, 2, 2)
        self.shotLabel = QLabel(MachineTree)
        self.shotLabel.setObjectName(u"shotLabel")

        self.layout.addWidget(self.shotLabel)

        self.tree = QTreeView(MachineTree)
        self.tree.setObjectName(u"tree")
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setDragEnabled(True)
        self.tree.setUniformRowHeights(True)
        self.tree.setExpandsOnDoubleClick(False)

        self.layout.addWidget(self.tree)

        self.plotButton = QPushButton(MachineTree)
        self.plotButton.setObjectName(u"plotButton")

        self.layout.addWidget(self.plotButton)


        self.retranslateUi(MachineTree)

        QMetaObject.connectSlotsByName(MachineTree)
    # setupUi

    def retranslateUi(self, MachineTree):
        self.shotLabel.setText(QCoreApplication.translate("MachineTree", u"No shot selected", None))
        self.plotButton.setText(QCoreApplication.translate("MachineTree", u"Plot selected", None))
        pass
    # retranslateUi

